package uploader

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"perenos/mapping"
	"perenos/portal"
)

// siteLayout is where a plan's content goes on the new site: which
// sections are created, and every page's, news item's and document's
// title and public path. The upload, the link rewriting and the redirect
// map all read it, so they agree.
type siteLayout struct {
	site     Site
	plan     *mapping.Plan
	sections []mapping.SectionPlan
	titles   map[string]string // plan item key → title
	paths    map[string]string // plan item key → public path
}

// layout lays a plan out.
func layout(site Site, plan *mapping.Plan) *siteLayout {
	l := &siteLayout{site: site, plan: plan, titles: map[string]string{}, paths: map[string]string{}}
	used := map[string]bool{}
	for _, s := range plan.Sections {
		if len(s.Items) == 0 && !s.Mandated && s.ID != plan.Sections[0].ID {
			continue // empty optional sections are not created
		}
		l.sections = append(l.sections, s)
		p := sectionPath(s.PortalPath)
		used[p], used[strings.TrimSuffix(p, "/")] = true, true
	}
	for _, s := range plan.Sections {
		dir := sectionPath(s.PortalPath)
		for _, it := range s.Items {
			if it.Kind == mapping.KindRecord {
				continue
			}
			title := itemTitle(it, s, site.Anchors[it.SourceURL])
			l.titles[it.Key] = title
			l.paths[it.Key] = uniquePath(used, dir, itemSlug(it, title))
		}
	}
	return l
}

func (l *siteLayout) title(it mapping.Item) string { return l.titles[it.Key] }
func (l *siteLayout) path(it mapping.Item) string  { return l.paths[it.Key] }

// Redirect maps an old address of the legacy site to the item's public
// address on the new site.
type Redirect struct {
	From string      `json:"from"`
	To   string      `json:"to"`
	Kind portal.Kind `json:"kind"`
}

// redirects lists every old URL that was migrated, once, with its new
// address: the placed pages, news items and documents, and the copies of
// them the plan left out (a print version, an address that redirected
// there, the same file elsewhere), which go where their original went.
// Items with no old URL (gaps filled in review) have nothing to redirect.
func (l *siteLayout) redirects() []Redirect {
	var out []Redirect
	seen := map[string]bool{}
	target := map[string]Redirect{}
	for _, s := range l.plan.Sections {
		for _, it := range s.Items {
			k := planKind(it.Kind)
			if it.SourceURL == "" || k == portal.KindRecord || k == "" {
				continue
			}
			from := normURL(it.SourceURL)
			if seen[from] {
				continue // the later parts of a split page
			}
			seen[from] = true
			r := Redirect{From: it.SourceURL, To: l.site.Base + portal.SitePath(l.site.Org.PortalSite, l.paths[it.Key]), Kind: k}
			target[from] = r
			out = append(out, r)
		}
	}
	copyOf := map[string]string{}
	var copies []mapping.Item
	for _, it := range l.plan.Excluded {
		if it.SourceURL != "" && it.CopyOf != "" {
			copyOf[normURL(it.SourceURL)] = normURL(it.CopyOf)
			copies = append(copies, it)
		}
	}
	for _, it := range copies {
		from := normURL(it.SourceURL)
		if seen[from] {
			continue
		}
		orig := copyOf[from]
		for hops := 0; hops < 8 && copyOf[orig] != ""; hops++ {
			if _, ok := target[orig]; ok {
				break
			}
			orig = copyOf[orig]
		}
		t, ok := target[orig]
		if !ok {
			continue // its original was not migrated either
		}
		seen[from] = true
		out = append(out, Redirect{From: it.SourceURL, To: t.To, Kind: t.Kind})
	}
	return out
}

// sectionPath is a section's portal path as a directory that is a valid
// public path.
func sectionPath(p string) string {
	var segs []string
	for _, seg := range strings.Split(p, "/") {
		if s := slug(seg, 80); s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return "/"
	}
	return "/" + strings.Join(segs, "/") + "/"
}

// uniquePath is dir plus name, with a number added before any extension
// when the site already has that path.
func uniquePath(used map[string]bool, dir, name string) string {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name, ext = name[:i], name[i:]
	}
	p := dir + name + ext
	for n := 2; used[p]; n++ {
		p = dir + name + "-" + strconv.Itoa(n) + ext
	}
	used[p] = true
	return p
}

// itemSlug is the last segment of an item's public path: from its title;
// a document keeps its file's extension, a news item leads with its date.
func itemSlug(it mapping.Item, title string) string {
	switch it.Kind {
	case mapping.KindDocument:
		name, ext := it.FileName, ""
		if e := path.Ext(name); e != "" && len(e) <= 6 {
			name, ext = strings.TrimSuffix(name, e), slug(e, 6)
		}
		s := slug(name, 60)
		if s == "" {
			s = slug(title, 60)
		}
		if s == "" {
			s = "dokument"
		}
		if ext != "" {
			s += "." + ext
		}
		return s
	case mapping.KindNews:
		s := slug(title, 60)
		if s == "" {
			s = "novost"
		}
		if len(it.Date) == 10 {
			s = it.Date + "-" + s
		}
		return s
	}
	if s := slug(title, 60); s != "" {
		return s
	}
	return "stranitsa"
}

// translit spells Russian letters in Latin for paths, as the profiles'
// portal paths are spelled.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "y",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f",
	'х': "h", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "sch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'і': "i", 'ї': "yi", 'є': "e", 'ў': "u",
}

// slug is s as lowercase ASCII words joined by hyphens, at most max
// bytes, cut at a word boundary.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		var t string
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			t = string(r)
		case translit[r] != "" || r == 'ъ' || r == 'ь':
			t = translit[r]
		default:
			dash = b.Len() > 0
			continue
		}
		if t == "" {
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(t)
	}
	out := b.String()
	if len(out) > max {
		out = out[:max]
		if i := strings.LastIndexByte(out, '-'); i > max/2 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

// urlName is the last segment of a URL's path as a person would read it:
// unescaped, without extension, separators as spaces; "" for an index.
func urlName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	name := path.Base(strings.TrimSuffix(u.Path, "/"))
	if un, err := url.PathUnescape(name); err == nil {
		name = un
	}
	name = strings.TrimSuffix(name, path.Ext(name))
	switch strings.ToLower(name) {
	case "", ".", "/", "index", "default", "main", "page":
		return ""
	}
	return strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ", "+", " ").Replace(name))
}
