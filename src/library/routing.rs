//! Where a link goes: each source's [`Site`] (the routes of its pages by Docusaurus' rules),
//! with the routing read once from the source's own `docusaurus.config.js`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::base::Base;
use crate::config::{self, SourceSpec};
use crate::corpus::Document;
use crate::markdown::{Routing, Site, SiteDoc};

/// How one source's pages are routed, and the site URL a page's address is given under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRouting {
    pub routing: Routing,
    /// The site the pages are published on (`https://docs.scs.community`), for copying a
    /// page's address; `None` when it is not known.
    pub origin: Option<String>,
}

impl SiteRouting {
    /// The routing of a source without a `docusaurus.config.js`: Docusaurus' rules with
    /// docs.scs.community as the site whose URLs open local pages (what the reader has
    /// always done). Only the SCS documentation itself is known to be published there.
    pub fn fallback(spec: Option<&SourceSpec>) -> SiteRouting {
        let routing = Routing::scs();
        let origin = spec
            .filter(|s| config::is_scs_docs(&s.url))
            .and(routing.site_url.clone());
        SiteRouting { routing, origin }
    }

    /// The routing a `docusaurus.config.js` describes, for a source mounted at `mount`.
    pub fn from_config(js: &str, mount: Option<&str>) -> SiteRouting {
        let mut routing = Routing::from_docusaurus_config(js);
        if let Some(m) = mount.map(|m| m.trim_matches('/')).filter(|m| !m.is_empty()) {
            for (folder, _) in &mut routing.bases {
                *folder = format!("{m}/{folder}");
            }
        }
        SiteRouting {
            origin: routing.site_url.clone(),
            routing,
        }
    }
}

/// The sites of several sources, each made once, on first use, from the documents it is
/// given. Whoever holds the documents holds the cache (a [`Base`], a library), so a cache
/// never outlives the documents it was made from.
#[derive(Debug, Default)]
pub struct Sites {
    routings: Mutex<HashMap<String, SiteRouting>>,
    built: Mutex<HashMap<String, Arc<Site>>>,
}

impl Sites {
    /// Sites for sources whose routing is known already.
    pub fn new(routings: HashMap<String, SiteRouting>) -> Sites {
        Sites {
            routings: Mutex::new(routings),
            built: Mutex::default(),
        }
    }

    /// A source's routing, read by `read` the first time it is asked for (the fallback
    /// when `read` is not given).
    pub fn routing(&self, source: &str, read: Option<&dyn Fn() -> SiteRouting>) -> SiteRouting {
        let known = self
            .routings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
            .cloned();
        if let Some(r) = known {
            return r;
        }
        let r = read.map_or_else(|| SiteRouting::fallback(None), |f| f());
        self.routings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(source.to_string(), r.clone());
        r
    }

    /// The site of `source`, made from `docs` (of any sources; those of `source` are taken)
    /// the first time.
    pub fn get(
        &self,
        source: &str,
        docs: &dyn Fn() -> Vec<SiteDoc>,
        read: Option<&dyn Fn() -> SiteRouting>,
    ) -> Arc<Site> {
        if let Some(s) = self
            .built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
        {
            return s.clone();
        }
        let site = Arc::new(Site::new(docs(), self.routing(source, read).routing));
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(source.to_string())
            .or_insert(site)
            .clone()
    }

    /// Whether the site of `source` is made already.
    pub fn is_built(&self, source: &str) -> bool {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(source)
    }

    /// Forgets every site and routing (after a sync moved the copies).
    pub fn clear(&self) {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.routings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// The documents of `source` among `docs`, as a site needs them.
pub fn site_docs(docs: &[Document], source: &str) -> Vec<SiteDoc> {
    docs.iter()
        .filter(|d| d.source == source)
        .map(|d| SiteDoc {
            path: d.path.clone(),
            front_matter: d.front_matter.clone(),
        })
        .collect()
}

impl Base {
    /// The site of a source from its last good copy: its pages' routes and where its links
    /// go, with the source's own routing. Made once per `Base` (a sync makes it again).
    pub fn site(&self, source: &str) -> Arc<Site> {
        let spec = self.spec(source);
        let docs = || {
            spec.and_then(|s| self.copy(s).ok())
                .and_then(|c| c.docs().ok())
                .map_or_else(Vec::new, |cat| site_docs(&cat.docs, source))
        };
        self.sites
            .get(source, &docs, Some(&|| self.read_routing(spec)))
    }

    /// A source's routing, read once from the `docusaurus.config.js` (or `.ts`) at the top
    /// of its last good copy.
    pub fn site_routing(&self, source: &str) -> SiteRouting {
        let spec = self.spec(source);
        self.sites
            .routing(source, Some(&|| self.read_routing(spec)))
    }

    /// The site of a source made from documents listed already (see [`Base::site`]).
    pub(super) fn site_of(&self, source: &str, docs: &[Document]) -> Arc<Site> {
        let spec = self.spec(source);
        self.sites.get(
            source,
            &|| site_docs(docs, source),
            Some(&|| self.read_routing(spec)),
        )
    }

    fn read_routing(&self, spec: Option<&SourceSpec>) -> SiteRouting {
        let own = spec.and_then(|s| {
            let copy = self.copy(s).ok()?;
            ["docusaurus.config.js", "docusaurus.config.ts"]
                .iter()
                .find_map(|f| copy.root_file(f))
                .map(|js| SiteRouting::from_config(&js, s.mount.as_deref()))
        });
        own.unwrap_or_else(|| SiteRouting::fallback(spec))
    }
}
