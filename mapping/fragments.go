package mapping

import (
	"slices"
	"strings"
	"unicode/utf8"

	"perenos/extract"
	"perenos/store"
)

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
	for u := range menuFrames(in) {
		out[u] = true
	}
	return out
}

// minFrameLinks is how many pages a frame must link to be a frameset's
// menu.
const minFrameLinks = 3

// menuFrames returns the pages that are the menu of a frameset: of the
// frames one page shows (two or more), the one that links the most other
// pages, at least minFrameLinks, more than every other frame. The site's
// pages open in the frameset's other frame, so the menu is the
// template of every page, as a fragment is; a frameset of a single frame
// is a page shown whole and has no menu of this kind.
func menuFrames(in Input) map[string]bool {
	frames := framesets(in)
	out := map[string]bool{}
	for _, shown := range frames {
		if len(shown) < 2 {
			continue
		}
		best, most, next := "", 0, 0
		for _, u := range shown {
			n := pageLinks(in.Docs[u])
			switch {
			case n > most:
				best, most, next = u, n, most
			case n > next:
				next = n
			}
		}
		if most >= minFrameLinks && most > next {
			out[best] = true
		}
	}
	return out
}

// homeFrames returns the pages (normURL) the site's home page shows in its
// frames, the menu frames and other fragments left out: when the home
// page is a frameset, they are what a visitor saw as the home page.
func homeFrames(in Input, fragments map[string]bool) map[string]bool {
	if in.Org == nil {
		return nil
	}
	root := normURL(in.Org.LegacyURL)
	var out map[string]bool
	for _, p := range in.Pages {
		if p.Kind != store.KindPage || fragments[p.URL] {
			continue
		}
		for _, r := range p.Referrers {
			if r.Via == store.ViaFrame && normURL(r.URL) == root {
				if out == nil {
					out = map[string]bool{}
				}
				out[normURL(p.URL)] = true
			}
		}
	}
	return out
}

// framesets returns the pages (normURL) that show other pages of the site
// in frames, with the pages each shows, as the crawler recorded them.
func framesets(in Input) map[string][]string {
	frames := map[string][]string{}
	for _, p := range in.Pages {
		if p.Kind != store.KindPage {
			continue
		}
		for _, r := range p.Referrers {
			if r.Via == store.ViaFrame {
				k := normURL(r.URL)
				if !slices.Contains(frames[k], p.URL) {
					frames[k] = append(frames[k], p.URL)
				}
			}
		}
	}
	return frames
}

// maxFramesetText is how much text of its own (a <noframes> notice) a
// frameset may have and still be only a frame holder.
const maxFramesetText = 200

// frameHolder says whether a page is a frameset of two frames or more with
// no content of its own: what a visitor saw was its frames.
func frameHolder(frames map[string][]string, p *store.Page, d *extract.Document) bool {
	return len(frames[normURL(p.URL)]) >= 2 && d != nil && utf8.RuneCountInString(strings.TrimSpace(d.Text)) <= maxFramesetText
}

// pageLinks counts the distinct pages a document links (not files).
func pageLinks(d *extract.Document) int {
	if d == nil {
		return 0
	}
	seen := map[string]bool{}
	for _, l := range d.Links {
		if !l.Attachment {
			seen[normURL(l.URL)] = true
		}
	}
	return len(seen)
}

// shownInFrame says whether a page is shown in a frame of another page.
func shownInFrame(p *store.Page) bool {
	for _, r := range p.Referrers {
		if r.Via == store.ViaFrame {
			return true
		}
	}
	return false
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

// frameReason is why a frameset's menu frame is not a page of the new site.
const frameReason = "рамка (frame) старого сайта с его меню, в которой были видны все страницы: часть шаблона, не страница; её ссылки прочитаны как меню сайта"

// shownList is the addresses of pages as a person reads them, in order.
func shownList(urls []string) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = shown(u)
	}
	return strings.Join(out, ", ")
}
