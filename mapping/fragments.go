package mapping

import "perenos/store"

// templateFragments returns the pages that are pieces of the old site's
// template rather than pages of their own: markup without a head
// (extract.Document.Fragment) that two pages of the site or more load with
// a script, directly (fetch('header.html')) or through a script file they
// run (<script src="menu.js">, which fetches it), as the crawler recorded
// them (the referrers of what scripts load). Their links are the site's
// menu; they are not migrated as pages. A fragment one page alone loads
// may be that page's content, and stays a page.
func templateFragments(in Input) map[string]bool {
	var scripts map[string]int // script file → how many pages run it
	out := map[string]bool{}
	for _, p := range in.Pages {
		d := in.Docs[p.URL]
		if p.Kind != store.KindPage || d == nil || !d.Fragment {
			continue
		}
		if scripts == nil {
			scripts = map[string]int{}
			for _, q := range in.Pages {
				if q.Kind == store.KindScript {
					scripts[normURL(q.URL)] = loaders(q)
				}
			}
		}
		n := loaders(p)
		for _, r := range p.Referrers {
			if r.Via == store.ViaScript {
				n = max(n, scripts[normURL(r.URL)])
			}
		}
		if n >= 2 {
			out[p.URL] = true
		}
	}
	return out
}

// loaders counts the referrers that load p with a script or run it.
func loaders(p *store.Page) int {
	n := 0
	for _, r := range p.Referrers {
		if r.Via == store.ViaScript || r.Via == store.ViaScriptSrc {
			n++
		}
	}
	return n
}

// fragmentReason is why a template fragment is not a page of the new site.
const fragmentReason = "часть шаблона старого сайта (шапка, меню или подвал), которую его страницы загружают скриптом: не страница; её ссылки прочитаны как меню сайта"
