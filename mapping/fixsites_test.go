package mapping

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"perenos/charset"
	"perenos/extract"
	"perenos/links"
	"perenos/store"
)

// The fixture sites (testdata/fixsites) are small whole sites written for
// this project, each showing patterns real legacy sites commonly have and
// the real corpus's tuning sites do not (see its README). Every rule of
// the mapping must place all their labelled pages and documents right,
// with no review: they are the discipline that keeps the rules general.

const fixHost = "http://fixture.example"

// fixSite is one fixture site: its type and the mapping input built from
// its files as the crawl and the extract stage would have made it.
type fixSite struct {
	name string
	typ  store.OrgType
	in   Input
}

// fixLabel is a labelled page or document of a fixture site.
type fixLabel struct {
	site, path string
	accept     []string
	why        string
}

func readFixTSV(t testing.TB, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata/fixsites", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cols []string
	var out []map[string]string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fields := strings.Split(l, "\t")
		if cols == nil {
			cols = fields
			continue
		}
		if len(fields) < 3 {
			t.Fatalf("%s:%d: %d columns, want at least 3", name, line, len(fields))
		}
		m := map[string]string{}
		for i, c := range cols {
			if i < len(fields) {
				m[c] = strings.TrimSpace(fields[i])
			}
		}
		out = append(out, m)
	}
	return out
}

func fixLabels(t testing.TB, name string) map[string][]fixLabel {
	out := map[string][]fixLabel{}
	for _, m := range readFixTSV(t, name) {
		out[m["site"]] = append(out[m["site"]], fixLabel{m["site"], m["path"], strings.Split(m["accept"], "|"), m["why"]})
	}
	return out
}

var (
	reFixTitle = regexp.MustCompile(`(?is)^\s*<title>(.*?)</title>\s*`)
	reFixHref  = regexp.MustCompile(`(?i)href="([^"#]+)`)
)

// fixPage renders a page file: a whole document as it is, or a fragment
// put into the site's layout (_layout.html, with {{title}} and
// {{content}}); a fragment's leading <title> replaces the layout's
// default (the text of {{title:...}}).
func fixPage(layout, raw string) string {
	if layout == "" || strings.HasPrefix(strings.ToLower(strings.TrimSpace(raw)), "<!doctype") {
		return raw
	}
	title := ""
	if m := reFixTitle.FindStringSubmatch(raw); m != nil {
		title, raw = m[1], raw[len(m[0]):]
	}
	out := layout
	if i := strings.Index(out, "{{title:"); i >= 0 {
		j := strings.Index(out[i:], "}}")
		if title == "" {
			title = out[i+len("{{title:") : i+j]
		}
		out = out[:i] + title + out[i+j+2:]
	}
	return strings.Replace(out, "{{content}}", raw, 1)
}

// isFixPage reports whether a file of a fixture site is a page: HTML or
// PHP, or a file without an extension (uCoz's /index/slug/0-12).
func isFixPage(rel string) bool {
	if strings.HasPrefix(path.Base(rel), "_") {
		return false
	}
	switch path.Ext(rel) {
	case ".html", ".htm", ".php", "":
		return true
	}
	return false
}

// loadFixSite reads a fixture site as the pipeline would have fetched and
// extracted it: each page at fixHost/PATH (the root's index at /), its
// bytes in the blob store, the site's template learned from all pages;
// each linked file as an attachment whose text is the file PATH.txt
// beside it (absent: a file whose text was not read); links to pages the
// site lacks answer 404; the referrers of every page and file as the
// crawler records them (a page a script fetches has the page that runs it).
func loadFixSite(t testing.TB, name string, typ store.OrgType) Input {
	t.Helper()
	return loadFixDir(t, filepath.Join("testdata/fixsites", name), name, typ)
}

// loadFixDir is loadFixSite for a site in any folder.
func loadFixDir(t testing.TB, dir, name string, typ store.OrgType) Input {
	t.Helper()
	layout := ""
	if b, err := os.ReadFile(filepath.Join(dir, "_layout.html")); err == nil {
		layout = string(b)
	}
	in := Input{Org: &store.Org{ID: name, Type: typ, LegacyURL: fixHost + "/"}, Docs: map[string]*extract.Document{}, Attach: map[string]AttachText{}}
	blobs := memBlobs{}
	texts := map[string]string{}
	tmpl := extract.NewTemplate()
	byURL := map[string]*store.Page{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		if !isFixPage(rel) {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		body := []byte(fixPage(layout, string(raw)))
		up, query := "/"+rel, ""
		if p, q, ok := strings.Cut(up, "@"); ok {
			// index.php@page=pitanie.html is /index.php?page=pitanie: a
			// page a query names (no file name can hold «?» everywhere)
			up, query = p, strings.TrimSuffix(q, ".html")
		}
		if b := path.Base(up); query == "" && (b == "index.html" || b == "index.php") {
			up = strings.TrimSuffix(up, b) // a folder's index answers at the folder
		}
		u := (&url.URL{Scheme: "http", Host: strings.TrimPrefix(fixHost, "http://"), Path: up, RawQuery: query}).String()
		id := store.BlobID(sha256.Sum256(body))
		blobs[id] = body
		texts[u] = charset.Decode(body, "text/html").Text
		pg := &store.Page{URL: u, Kind: store.KindPage, Status: 200, Blob: id, ContentType: "text/html", Size: int64(len(body))}
		in.Pages = append(in.Pages, pg)
		byURL[u] = pg
		doc, err := extract.Parse(texts[u])
		if err != nil {
			return err
		}
		tmpl.Learn(doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(in.Pages, func(i, j int) bool { return in.Pages[i].URL < in.Pages[j].URL })
	for _, pg := range slices.Clone(in.Pages) {
		doc, _ := extract.Parse(texts[pg.URL])
		d, err := extract.Extract(pg.URL, doc, extract.Options{Template: tmpl, CrawlDate: "2025-01-15"})
		if err != nil {
			t.Fatal(err)
		}
		in.Docs[pg.URL] = d
		seen := map[string]bool{}
		for _, l := range d.Links {
			lu, err := url.Parse(l.URL)
			if err != nil || lu.Host != strings.TrimPrefix(fixHost, "http://") {
				continue
			}
			lu.Fragment = ""
			if b := path.Base(lu.Path); lu.RawQuery == "" && (b == "index.html" || b == "index.php") {
				lu.Path = strings.TrimSuffix(lu.Path, b)
			}
			target := lu.String()
			q := byURL[target]
			if q == nil {
				rel := strings.TrimPrefix(lu.Path, "/")
				q = &store.Page{URL: target, Kind: store.KindPage, Status: 404, Error: "HTTP 404"}
				if extract.IsAttachmentURL(lu) {
					q = &store.Page{URL: target, Kind: store.KindAttachment, Status: 200, FileName: path.Base(rel)}
					text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)+".txt"))
					if err == nil {
						in.Attach[target] = AttachText{Text: string(text)}
					}
					q.Blob = store.BlobID(sha256.Sum256(append([]byte(rel+"\x00"), text...)))
					q.Size = int64(len(text))
				}
				byURL[target] = q
				in.Pages = append(in.Pages, q)
			}
			if target != pg.URL && !seen[target] && (q.Kind != store.KindPage || len(q.Referrers) == 0) {
				seen[target] = true // a page keeps its first referrer, as the crawler's ledger does
				q.Referrers = append(q.Referrers, store.Ref{URL: pg.URL, Anchor: l.Text})
			}
		}
		base, _ := url.Parse(pg.URL)
		for _, l := range links.FromHTML(base, texts[pg.URL]) { // what its scripts fetch and its frames show: the crawler records each who does
			q := byURL[l.URL]
			if q == nil || q == pg {
				continue
			}
			if l.Via == store.ViaFrame {
				if i := slices.IndexFunc(q.Referrers, func(r store.Ref) bool { return r.URL == pg.URL }); i >= 0 {
					q.Referrers[i].Via = store.ViaFrame
					continue
				}
			}
			if (l.Via == store.ViaScript || l.Via == store.ViaFrame) && !seen[l.URL] {
				seen[l.URL] = true
				q.Referrers = append(q.Referrers, store.Ref{URL: pg.URL, Via: l.Via})
			}
		}
	}
	in.Blobs = blobs
	return in
}

// fixEntry is a plan item with where the plan put it.
type fixEntry struct {
	it      Item
	section string // "review" for an unplaced item, "excluded"
}

// fixIndex finds a plan's items by their path under the site's root: the
// pages' own items (pages, news items, parts), and the documents.
func fixIndex(p *Plan) (pages, docs map[string][]fixEntry) {
	pages, docs = map[string][]fixEntry{}, map[string][]fixEntry{}
	add := func(it Item, sec string) {
		u, _ := url.Parse(it.SourceURL)
		k := strings.TrimPrefix(u.Path, "/") // unescaped, as labels name it
		if h := u.Host; h != strings.TrimPrefix(fixHost, "http://") {
			k = h + u.Path // a file on another host: its host and path
		}
		if u.RawQuery != "" {
			k += "?" + u.RawQuery
		}
		switch it.Kind {
		case KindPage, KindNews:
			pages[k] = append(pages[k], fixEntry{it, sec})
		case KindDocument:
			docs[k] = append(docs[k], fixEntry{it, sec})
		}
	}
	for _, s := range p.Sections {
		for _, it := range s.Items {
			add(it, s.ID)
		}
	}
	for _, it := range p.Unplaced {
		add(it, "review")
	}
	for _, it := range p.Excluded {
		add(it, "excluded")
	}
	return pages, docs
}

// fixJudge says whether a label's items are all placed in an accepted
// section (a part of a split page also in a subsection of one), following
// copies to their originals, and what the plan did otherwise.
func fixJudge(prof *Profile, m map[string][]fixEntry, l fixLabel) (ok bool, got string, conf float64, why string) {
	es := m[l.path]
	if len(es) == 0 && (path.Base(l.path) == "index.html" || path.Base(l.path) == "index.php") {
		es = m[strings.TrimSuffix(l.path, path.Base(l.path))]
	}
	for range 3 {
		var out []fixEntry
		for _, e := range es {
			if e.section == "excluded" && e.it.CopyOf != "" {
				u, _ := url.Parse(e.it.CopyOf)
				out = append(out, m[strings.TrimPrefix(u.Path, "/")]...)
				continue
			}
			out = append(out, e)
		}
		es = out
	}
	if len(es) == 0 {
		return false, "not_in_plan", 0, ""
	}
	ok = true
	conf = 1
	var secs []string
	for _, e := range es {
		sec := e.section
		right := slices.Contains(l.accept, sec)
		if s := prof.Section(sec); !right && s != nil && strings.Contains(e.it.Key, "#") {
			right = slices.Contains(l.accept, s.Parent)
		}
		ok = ok && right
		if !slices.Contains(secs, sec) {
			secs = append(secs, sec)
		}
		conf = min(conf, e.it.Confidence)
		switch {
		case sec == "excluded":
			why, conf = e.it.Reason, -1
		case sec == "review":
			why, conf = strings.Join(e.it.Reasons, "; "), -1
			for _, c := range e.it.Candidates {
				why += fmt.Sprintf(" | %s %.2f: %s", c.Section, c.Confidence, strings.Join(c.Reasons, "; "))
			}
		default:
			why = strings.Join(e.it.Reasons, "; ")
		}
	}
	return ok, strings.Join(secs, "+"), conf, why
}

// TestFixtureSites maps every fixture site and requires each labelled page
// and document placed right, none left for review, none lost.
func TestFixtureSites(t *testing.T) {
	ps := profiles(t)
	pages, docs := fixLabels(t, "labels.tsv"), fixLabels(t, "docs.tsv")
	total, right := 0, 0
	edges := []float64{0, 0.6, 0.7, 0.8, 0.9}
	placed, placedRight := make([]int, len(edges)), make([]int, len(edges))
	for _, row := range readFixTSV(t, "sites.tsv") {
		typ, err := store.ParseOrgType(row["org_type"])
		if err != nil {
			t.Fatalf("sites.tsv: %s: %v", row["site"], err)
		}
		name := row["site"]
		t.Run(name, func(t *testing.T) {
			prof := ps[typ]
			plan := Build(prof, loadFixSite(t, name, typ), Options{})
			pix, dix := fixIndex(plan)
			check := func(what string, ix map[string][]fixEntry, ls []fixLabel) {
				for _, l := range ls {
					for _, a := range l.accept {
						if prof.Section(a) == nil && a != "excluded" { // "excluded": left out on purpose, with why
							t.Fatalf("%s %s: section %q is not in the %s profile", what, l.path, a, typ)
						}
					}
					total++
					ok, got, conf, why := fixJudge(prof, ix, l)
					if conf >= 0 && what == "page" {
						b := 0
						for i, e := range edges {
							if conf >= e {
								b = i
							}
						}
						placed[b]++
						if ok {
							placedRight[b]++
						}
					}
					if ok {
						right++
						if testing.Verbose() && os.Getenv("FIXTURE_REASONS") != "" {
							t.Logf("ok %s %s: %s (%.2f)\n\t%s", what, l.path, got, conf, why)
						}
						continue
					}
					t.Errorf("%s %s: got %s (%.2f), want %s (%s)\n\t%s", what, l.path, got, conf, strings.Join(l.accept, "|"), l.why, why)
				}
			}
			check("page", pix, pages[name])
			check("document", dix, docs[name])
			if len(pages[name]) == 0 {
				t.Errorf("no labelled pages")
			}
		})
	}
	t.Logf("fixture sites: %d of %d labels right", right, total)
	for i, e := range edges {
		t.Logf("pages placed with confidence from %.1f: %d, right %d", e, placed[i], placedRight[i])
	}
}

// A document stored on another host (a cloud drive) is a document item
// with its link and no file, placed by what it is, with a warning for
// the admin and a row in the manual-entry worksheet.
func TestDocumentStoredElsewhere(t *testing.T) {
	prof := profiles(t)[store.School]
	plan := Build(prof, loadFixSite(t, "sch4-numbered", store.School), Options{})
	const link = "https://drive.google.com/file/d/1AbCdEf/view?usp=sharing"
	var it *Item
	sec := ""
	for _, s := range plan.Sections {
		for i := range s.Items {
			if s.Items[i].SourceURL == link {
				it, sec = &s.Items[i], s.ID
			}
		}
	}
	if it == nil {
		t.Fatalf("the document on a drive is not placed; unplaced %+v", plan.Unplaced)
	}
	if it.Kind != KindDocument || it.Blob != "" || it.Elsewhere != "drive.google.com" || !strings.Contains(it.Warning, "скачайте и приложите файл") {
		t.Errorf("item %+v: want a document with no file, elsewhere drive.google.com, a warning to download and attach it", *it)
	}
	if sec != "sveden/document" || it.Title != "Порядок перевода, отчисления и восстановления обучающихся" || it.DocKind != "локальный акт" {
		t.Errorf("placed in %s as %q (%s), want sveden/document, its list title, a local act", sec, it.Title, it.DocKind)
	}
	found := false
	for _, r := range Worksheet(prof, plan) {
		if r.Section == "sveden/document" && strings.Contains(r.Why, link) && strings.Contains(r.Why, "скачайте") {
			found = true
		}
	}
	if !found {
		t.Errorf("no worksheet row asks to download %s: %+v", link, Worksheet(prof, plan))
	}
	for _, e := range plan.Excluded {
		if e.Kind == KindRecord && e.Fields["url"] == link {
			t.Errorf("the drive link is also a record: %+v", e)
		}
	}
}

// A plan built from documents it may spend (the map stage's, whose Text
// goes once read) is the plan built from documents it must keep.
func TestSpentDocumentsMakeTheSamePlan(t *testing.T) {
	ps := profiles(t)
	for _, row := range readFixTSV(t, "sites.tsv") {
		typ, err := store.ParseOrgType(row["org_type"])
		if err != nil {
			t.Fatal(err)
		}
		kept := Build(ps[typ], loadFixSite(t, row["site"], typ), Options{})
		in := loadFixSite(t, row["site"], typ)
		in.spent = true
		had := 0
		for _, d := range in.Docs {
			if d.Text != "" {
				had++
			}
		}
		spent := Build(ps[typ], in, Options{})
		a, _ := json.Marshal(kept)
		b, _ := json.Marshal(spent)
		if string(a) != string(b) {
			t.Errorf("%s: the plan differs when the documents' texts are let go", row["site"])
		}
		left := 0
		for _, d := range in.Docs {
			if d.Text != "" {
				left++
			}
		}
		if left*2 > had {
			t.Errorf("%s: %d of %d documents kept their text", row["site"], left, had)
		}
	}
}

// A plan built as the map stage builds it, from the documents stored in
// the ledger without their Markdown and Text (read again page by page,
// and by its items as it is written), is byte for byte the plan built
// from the documents held whole; and it holds no page's Markdown.
func TestStoredDocumentsMakeTheSamePlan(t *testing.T) {
	ps := profiles(t)
	for _, row := range readFixTSV(t, "sites.tsv") {
		typ, err := store.ParseOrgType(row["org_type"])
		if err != nil {
			t.Fatal(err)
		}
		whole := loadFixSite(t, row["site"], typ)
		keptPlan := Build(ps[typ], whole, Options{})
		// Review decisions as a rebuild applies them: an edited title
		// (the personal-data check reads the body again), an edited body.
		var ovs []Override
		var all []Item
		for _, sp := range keptPlan.Sections {
			all = append(all, sp.Items...)
		}
		for _, it := range all {
			if (it.Kind == KindPage || it.Kind == KindNews) && !strings.Contains(it.Key, "#") && len(ovs) < 2 {
				title, body := "Новый заголовок", "Новый текст: Иванов Иван Иванович, дата рождения"
				ov := Override{Key: it.Key, Title: &title}
				if len(ovs) == 1 {
					ov = Override{Key: it.Key, Body: &body}
				}
				ovs = append(ovs, ov)
			}
		}
		if len(ovs) < 2 {
			t.Fatalf("%s: no pages to edit", row["site"])
		}
		ApplyOverrides(keptPlan, ovs)
		kept, err := json.Marshal(keptPlan)
		if err != nil {
			t.Fatal(err)
		}
		ws := store.TestStore(t)
		if err := ws.Update(func(tx store.Tx) error {
			for u, d := range whole.Docs {
				if err := extract.Docs.Put(tx, whole.Org.ID, u, d); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		in := loadFixSite(t, row["site"], typ)
		docs, bodies, err := readDocs(ws, in.Org.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		in.Docs, in.bodies, in.spent = docs, bodies, true
		plan := Build(ps[typ], in, Options{})
		ApplyOverrides(plan, ovs)
		if err := bodies.failed(); err != nil {
			t.Fatal(err)
		}
		lazy := 0
		plan.eachItem(func(it *Item) {
			if it.src != "" {
				lazy++
				if it.Body != "" {
					t.Errorf("%s: item %s holds its body and a reference to it", row["site"], it.Key)
				}
			}
		})
		for _, d := range in.Docs {
			if d.Markdown != "" || d.Text != "" {
				t.Errorf("%s: %s kept its Markdown or Text", row["site"], d.URL)
			}
		}
		if lazy == 0 {
			t.Errorf("%s: no item holds its body by reference", row["site"])
		}
		var got bytes.Buffer
		if err := writePlanJSON(&got, plan); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(kept) {
			t.Errorf("%s: the plan differs when the documents are read from the ledger (%d bytes, want %d)", row["site"], got.Len(), len(kept))
		}
	}
}
