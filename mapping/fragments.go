package mapping

import "perenos/store"

// templateFragments returns the pages that are pieces of the old site's
// template rather than pages of their own: markup without a head
// (extract.Document.Fragment) that two pages of the site or more load with
// a script, directly (fetch('header.html')) or through a script file they
// run (<script src="menu.js">, which fetches it). Their links are the
// site's menu; they are not migrated as pages. A fragment one page alone
// loads may be that page's content, and stays a page.
func templateFragments(in Input) map[string]bool {
	loaders := map[string]int{} // address → how many pages load it
	for _, d := range in.Docs {
		for _, u := range d.Loads {
			loaders[normURL(u)]++
		}
	}
	out := map[string]bool{}
	for _, p := range in.Pages {
		d := in.Docs[p.URL]
		if p.Kind != store.KindPage || d == nil || !d.Fragment {
			continue
		}
		n := loaders[normURL(p.URL)]
		for _, r := range p.Referrers {
			if r.Via == store.ViaScript {
				n = max(n, loaders[normURL(r.URL)]) // the script file that fetches it
			}
		}
		if n >= 2 {
			out[p.URL] = true
		}
	}
	return out
}

// fragmentReason is why a template fragment is not a page of the new site.
const fragmentReason = "часть шаблона старого сайта (шапка, меню или подвал), которую его страницы загружают скриптом: не страница; её ссылки прочитаны как меню сайта"
