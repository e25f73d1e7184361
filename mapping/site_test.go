package mapping

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"perenos/charset"
	"perenos/extract"
	"perenos/store"
)

// memBlobs is a blob store in memory.
type memBlobs map[store.BlobID][]byte

func (m memBlobs) Read(id store.BlobID) ([]byte, error) { return m[id], nil }

// fixtureSite reads a folder of HTML pages as the pipeline would have
// fetched and extracted them: each page at http://school.example/NAME, its
// bytes in the blob store, the site's template learned from all of them.
func fixtureSite(t *testing.T, dir string, typ store.OrgType) Input {
	t.Helper()
	const host = "http://school.example/"
	in := Input{Org: &store.Org{ID: "fixture", Type: typ, LegacyURL: host}, Docs: map[string]*extract.Document{}}
	blobs := memBlobs{}
	texts := map[string]string{}
	tmpl := extract.NewTemplate()
	names, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no pages in %s: %v", dir, err)
	}
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		u := host + filepath.Base(name)
		if filepath.Base(name) == "index.html" {
			u = host
		}
		id := store.BlobID(sha256.Sum256(raw))
		blobs[id] = raw
		texts[u] = charset.Decode(raw, "text/html").Text
		in.Pages = append(in.Pages, &store.Page{URL: u, Kind: store.KindPage, Status: 200, Blob: id, ContentType: "text/html", Size: int64(len(raw))})
		doc, err := extract.Parse(texts[u])
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Learn(doc)
	}
	for u, text := range texts {
		doc, _ := extract.Parse(text)
		d, err := extract.Extract(u, doc, extract.Options{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		in.Docs[u] = d
	}
	// Referrers, as the crawler records them: the pages linking each page.
	for _, p := range in.Pages {
		for u, d := range in.Docs {
			for _, l := range d.Links {
				if normURL(l.URL) == normURL(p.URL) && u != p.URL {
					p.Referrers = append(p.Referrers, store.Ref{URL: u, Anchor: l.Text})
					break
				}
			}
		}
	}
	in.Blobs = blobs
	return in
}

// findItem returns the plan's page item of a URL and its section
// ("review" when left for review).
func findItem(p *Plan, u string) (Item, string) {
	if it, sec := itemOf(p, u); sec != "" {
		return it, sec
	}
	for _, it := range p.Unplaced {
		if it.SourceURL == u {
			return it, "review"
		}
	}
	return Item{}, ""
}

// A page of no mandated section is a free page where the old menu had
// it, with its menu path and the page it was under; none goes to review.
func TestFreePagesKeepTheirMenuPlace(t *testing.T) {
	in := fixtureSite(t, "testdata/menusite", store.School)
	plan := Build(profiles(t)[store.School], in, Options{})
	for _, c := range []struct {
		page   string
		menu   []string
		parent string
	}{
		{"zvonki.html", []string{"Родителям", "Расписание звонков"}, ""},
		{"logoped.html", []string{"Родителям", "Советы логопеда"}, ""},
		{"kruzhki.html", []string{"Школьная жизнь", "Кружки и секции"}, "/zhizn.html"},
		{"zhizn.html", []string{"Школьная жизнь"}, ""},
	} {
		it, sec := findItem(plan, "http://school.example/"+c.page)
		if sec != OtherSection {
			t.Errorf("%s: in %q, want a free page in %s; reasons %v, candidates %v", c.page, sec, OtherSection, it.Reasons, it.Candidates)
			continue
		}
		if !slices.Equal(it.Menu, c.menu) || it.Parent != c.parent {
			t.Errorf("%s: menu %q under %q, want %q under %q", c.page, it.Menu, it.Parent, c.menu, c.parent)
		}
		if len(it.Reasons) == 0 || !strings.Contains(it.Reasons[0], "меню старого сайта") || !strings.Contains(it.Reasons[0], "«"+c.menu[len(c.menu)-1]+"»") {
			t.Errorf("%s: the reason does not say where the old menu had it: %v", c.page, it.Reasons)
		}
	}
	if len(plan.Unplaced) != 0 {
		t.Errorf("%d pages left for review, want none (no conflict between mandated sections): %+v", len(plan.Unplaced), plan.Unplaced)
	}
}

// The whole site decides what no single page's signals do: the one page
// with any sign of «Вакантные места» is that subsection's page; a page
// outside «Сведения» in the menu that looks like «Документы» is a free
// page, the subsection having its own page under «Сведения»; the pages
// only the main page of a subsection links belong to that subsection.
func TestWholeSiteDecides(t *testing.T) {
	in := fixtureSite(t, "testdata/menusite", store.School)
	prof := profiles(t)[store.School]
	cl := newClassifier(prof, in)
	mesta := in.Docs["http://school.example/mesta.html"]
	if cands := cl.classify(in.Pages[slices.IndexFunc(in.Pages, func(p *store.Page) bool { return p.URL == mesta.URL })], mesta); len(cands) == 0 || cands[0].Section != "sveden/vacant" || cands[0].Confidence >= 0.6 {
		t.Fatalf("mesta.html on its own: %+v; the test wants a page that no single signal places", cands)
	}
	plan := Build(prof, in, Options{})
	for _, c := range []struct{ page, want, why string }{
		{"mesta.html", "sveden/vacant", "главная страница раздела"},
		{"gazeta.html", OtherSection, "«Школьная жизнь» › «Документы газеты»"}, // one word of «Документы», in its title and menu item: one piece of evidence
		{"polozhenie.html", "sveden/document", "с главной страницы раздела"},
		{"dokumenty.html", "sveden/document", ""},
		{"osnovnye.html", "sveden/common", ""},
		{"obuchenie.html", "sveden/education", "под пунктом «Сведения об образовательной организации»"},
		{"arhiv.html", "sveden/education", "ещё одна страница подраздела"}, // under «Сведения», some sign of «Образование», whose main page is another
		{"sveden.html", "sveden", ""},
		{"", HomeSection, ""},
	} {
		it, sec := findItem(plan, "http://school.example/"+c.page)
		if sec != c.want {
			t.Errorf("%s: in %q, want %s; reasons %v", c.page, sec, c.want, it.Reasons)
			continue
		}
		if c.why != "" && !strings.Contains(strings.Join(it.Reasons, "; "), c.why) {
			t.Errorf("%s: reasons %v do not say %q", c.page, it.Reasons, c.why)
		}
	}
}

// The old menu tree is read from the pages: groups labelled by a parent
// link, by a span before the list, and the parent page of each item.
func TestSiteNav(t *testing.T) {
	in := fixtureSite(t, "testdata/menusite", store.School)
	nav := siteNav(in, in.Pages, nil)
	for _, c := range []struct {
		page   string
		path   []string
		parent string
	}{
		{"dokumenty.html", []string{"Сведения об образовательной организации", "Документы"}, "http://school.example/sveden.html"},
		{"zvonki.html", []string{"Родителям", "Расписание звонков"}, ""},
		{"sveden.html", []string{"Сведения об образовательной организации"}, ""},
	} {
		es := nav["http://school.example/"+c.page]
		if len(es) != 1 || !slices.Equal(es[0].path(), c.path) || es[0].parent != c.parent {
			t.Errorf("%s: %+v, want %q under %q", c.page, es, c.path, c.parent)
		}
	}
	if es := nav["http://school.example/polozhenie.html"]; len(es) != 0 {
		t.Errorf("a page linked only in a page's text is in the menu: %+v", es)
	}
	in.Blobs = nil
	if len(siteNav(in, in.Pages, nil)) != 0 {
		t.Error("a menu read without the pages' bytes")
	}
}

// One page holding the whole «Сведения», a heading (or a line in bold, or
// an accordion's panel) per subsection, is split into the subsections it covers, each part with its
// reason; the introduction and the blocks of no subsection stay the page
// of the whole section.
func TestOnePageSvedenSplit(t *testing.T) {
	in := fixtureSite(t, "testdata/onepage", store.Preschool)
	plan := Build(profiles(t)[store.Preschool], in, Options{})
	want := map[string]string{ // section → a phrase of its part, and none of the others'
		"sveden":          "Паспорт дорожной безопасности",
		"sveden/common":   "Дата создания: 1975",
		"sveden/struct":   "педагогический совет",
		"sveden/document": "правила внутреннего распорядка",
		"sveden/vacant":   "Свободных мест в группах нет",
		"sveden/catering": "Пятиразовое питание",
	}
	for _, page := range []string{"svedeniya.html", "bold.html", "accordion.html"} { // headings, bold lines, an accordion's panels
		u := "http://school.example/" + page
		got := map[string]Item{}
		for _, s := range plan.Sections {
			for _, it := range s.Items {
				if it.SourceURL == u && it.Kind == KindPage {
					got[s.ID] = it
				}
			}
		}
		if len(got) != len(want) {
			secs := make([]string, 0, len(got))
			for s := range got {
				secs = append(secs, s)
			}
			t.Errorf("%s: split into %v, want the %d sections %v; unplaced %+v", page, secs, len(want), want, plan.Unplaced)
			continue
		}
		for sec, phrase := range want {
			it := got[sec]
			if !strings.Contains(it.Body, phrase) {
				t.Errorf("%s: part %s lacks %q:\n%s", page, sec, phrase, it.Body)
			}
			for other, p := range want {
				if other != sec && strings.Contains(it.Body, p) {
					t.Errorf("%s: part %s holds %s's %q", page, sec, other, p)
				}
			}
			if it.Key != itemKey(u)+"#"+sec || len(it.Reasons) == 0 || it.Confidence < 0.6 {
				t.Errorf("%s: part %s: key %q, confidence %.2f, reasons %v", page, sec, it.Key, it.Confidence, it.Reasons)
			}
			if sec != "sveden" && !strings.Contains(it.Reasons[0], "под заголовком") {
				t.Errorf("%s: part %s does not say which heading it is: %v", page, sec, it.Reasons)
			}
		}
	}
}

// The same page reached under two hosts of the site (an alias, the www
// twin) is migrated once: the copy names its original, so that no two
// items share a key.
func TestSamePathOnTwoHostsOnce(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://www.s.example/"}
	in := site(org,
		page{url: "http://s.example/sveden/common.html", title: "Основные сведения"},
		page{url: "http://www.s.example/sveden/common.html", title: "Основные сведения"},
	)
	plan := Build(profiles(t)[store.School], in, Options{})
	placed := 0
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			if it.Key == "/sveden/common.html" {
				placed++
			}
		}
	}
	if placed != 1 {
		t.Fatalf("key /sveden/common.html placed %d times, want once", placed)
	}
	if _, sec := itemOf(plan, "http://www.s.example/sveden/common.html"); sec != "sveden/common" {
		t.Errorf("the page on the registry's host is in %q", sec)
	}
	var copy *Item
	for i := range plan.Excluded {
		if plan.Excluded[i].SourceURL == "http://s.example/sveden/common.html" {
			copy = &plan.Excluded[i]
		}
	}
	if copy == nil || copy.CopyOf != "http://www.s.example/sveden/common.html" {
		t.Errorf("the copy on the alias host: %+v", copy)
	}
}

// The site's name before a navbar's list links the home page: it is the
// brand, not a group of the menu («Родителям» › «Адаптация», not «Детский
// сад № 7 «Солнышко»» › «Родителям» › «Адаптация»).
func TestMenuBrandIsNoGroup(t *testing.T) {
	in := loadFixSite(t, "ds7-flatphp", store.Preschool)
	es := siteNav(in, in.Pages, nil)[fixHost+"/adaptation.php"]
	if len(es) != 1 || !slices.Equal(es[0].path(), []string{"Родителям", "Адаптация"}) {
		t.Errorf("adaptation.php in the menu: %+v, want «Родителям» › «Адаптация»", es)
	}
}

// Reasons show addresses decoded, as a person reads them.
func TestShownURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://s.example/%D1%81%D0%B2%D0%B5%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F/%D1%84%D1%85%D0%B4.html": "http://s.example/сведения/фхд.html",
		"http://s.example/a%20b.html": "http://s.example/a b.html",
		"http://s.example/%0Aevil":    "http://s.example/%0Aevil",  // a control character stays escaped
		"http://s.example/%FF.html":   "http://s.example/%FF.html", // not text
		"http://s.example/%zz":        "http://s.example/%zz",
	} {
		if got := shown(in); got != want {
			t.Errorf("shown(%q) = %q, want %q", in, got, want)
		}
	}
}

// An old table layout's menu is paragraphs of links, its «Сведения» item
// a picture (its name only in the alt text) before the block of the
// subsections' links: the block takes the picture's label as its group.
func TestFlatMenuGroups(t *testing.T) {
	in := loadFixSite(t, "ds3-cyrillic", store.Preschool)
	nav := siteNav(in, in.Pages, nil)
	root := "Сведения об образовательной организации"
	for _, c := range []struct {
		page   string
		path   []string
		parent string
	}{
		{"/s15.html", []string{root, "Стандарты"}, fixHost + "/%D1%81%D0%B2%D0%B5%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F.html"},
		{"/%D1%81%D0%B2%D0%B5%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F/%D1%84%D1%85%D0%B4.html", []string{root, "Финансово-хозяйственная деятельность"}, fixHost + "/%D1%81%D0%B2%D0%B5%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F.html"},
		{"/%D1%81%D0%B2%D0%B5%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F.html", []string{root}, ""},
		{"/%D0%B3%D1%80%D1%83%D0%BF%D0%BF%D1%8B.html", []string{"Наши группы"}, ""},
	} {
		es := nav[fixHost+c.page]
		if len(es) != 1 || !slices.Equal(es[0].path(), c.path) || es[0].parent != c.parent {
			t.Errorf("%s: %+v, want %q under %q", shown(c.page), es, c.path, c.parent)
		}
	}
}

// A news item at a flat address (/konkurs-yunyh-pianistov.html) says
// nothing of itself; the news list names it, with its date.
func TestNewsListNamesItsItems(t *testing.T) {
	plan := Build(profiles(t)[store.School], loadFixSite(t, "dshi2-folders", store.School), Options{})
	it, sec := findItem(plan, fixHost+"/konkurs-yunyh-pianistov.html")
	if sec != NewsSection || it.Kind != KindNews || it.Date != "2024-12-02" {
		t.Errorf("in %q as %s dated %q, want a news item of 2024-12-02; reasons %v", sec, it.Kind, it.Date, it.Reasons)
	}
}
