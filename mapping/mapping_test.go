package mapping

import (
	"strings"
	"testing"

	"perenos/extract"
	"perenos/store"
)

func profiles(t testing.TB) Profiles {
	t.Helper()
	p, err := LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProfilesLoad(t *testing.T) {
	ps := profiles(t)
	for _, typ := range store.OrgTypes {
		p := ps[typ]
		if p == nil || len(p.Sections) < 8 || p.Section(OtherSection) == nil || p.Section(NewsSection) == nil {
			t.Fatalf("profile %s incomplete", typ)
		}
	}
	n := 0
	for _, s := range ps[store.School].Sections {
		if strings.HasPrefix(s.ID, "sveden/") {
			n++
		}
	}
	if n != 14 {
		t.Fatalf("school profile has %d sveden subsections, want 14", n)
	}
}

// site builds a mapping input from (url, title, itemprops, menu anchor) rows.
func site(org *store.Org, pages ...page) Input {
	in := Input{Org: org, Docs: map[string]*extract.Document{}}
	home := &extract.Document{URL: "http://s.example/", Title: "Главная", Text: "Добро пожаловать"}
	in.Docs[home.URL] = home
	in.Pages = append(in.Pages, &store.Page{URL: home.URL, Kind: store.KindPage, Status: 200})
	for _, p := range pages {
		d := &extract.Document{URL: p.url, Title: p.title, Text: "текст " + p.title, Itemprops: p.props, Headings: []string{p.title}}
		in.Docs[p.url] = d
		in.Pages = append(in.Pages, &store.Page{URL: p.url, Kind: store.KindPage, Status: 200})
		if p.menu != "" {
			home.Links = append(home.Links, extract.Link{URL: p.url, Text: p.menu})
		}
	}
	return in
}

type page struct {
	url, title string
	props      []string
	menu       string
}

func sectionOf(p *Plan, url string) string {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.SourceURL == url {
				return s.ID
			}
		}
	}
	return ""
}

func TestSignalsPlaceOnTheirOwn(t *testing.T) {
	cases := []struct {
		name string
		typ  store.OrgType
		p    page
		want string
	}{
		{"slug under sveden", store.School, page{url: "http://s.example/sveden/paid_edu.html", title: "Страница"}, "sveden/paid_edu"},
		{"legacy alias slug", store.School, page{url: "http://s.example/sveden/ovz.html", title: "Страница"}, "sveden/objects"},
		{"legacy flat file", store.Preschool, page{url: "http://s.example/strukt.html", title: "Страница"}, "sveden/struct"},
		{"title keyword", store.School, page{url: "http://s.example/page17.html", title: "Платные образовательные услуги"}, "sveden/paid_edu"},
		{"title keyword inflected", store.School, page{url: "http://s.example/page18.html", title: "Об организации питания"}, "sveden/catering"},
		{"menu text", store.School, page{url: "http://s.example/p?id=5", title: "", menu: "Финансово-хозяйственная деятельность"}, "sveden/budget"},
		{"menu text, medical", store.Medical, page{url: "http://s.example/index.php?id=9", title: "", menu: "Наши врачи"}, "med/staff"},
		{"microdata", store.School, page{url: "http://s.example/x.html", title: "", props: []string{"teachingstaff", "specexperience"}}, "sveden/employees"},
		{"slug, municipal services", store.Municipal, page{url: "http://s.example/municipalnye-uslugi/", title: "Страница"}, "omsu/services"},
		{"dated address", store.Municipal, page{url: "http://s.example/2023/10/12/zasedanie-dumy/", title: "Страница"}, "news"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			org := &store.Org{ID: "1", Type: c.typ, LegacyURL: "http://s.example/"}
			plan := Build(profiles(t)[c.typ], site(org, c.p), Options{})
			if got := sectionOf(plan, c.p.url); got != c.want {
				t.Fatalf("placed in %q, want %q; unplaced %+v", got, c.want, plan.Unplaced)
			}
			for _, s := range plan.Sections {
				for _, it := range s.Items {
					if it.SourceURL == c.p.url && (len(it.Reasons) == 0 || it.Confidence <= 0) {
						t.Fatalf("placement without reasons or confidence: %+v", it)
					}
				}
			}
		})
	}
}

func TestConflictingSignalsFlagged(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	// the address says paid services, the title and menu say catering
	p := page{url: "http://s.example/paid.html", title: "Организация питания", menu: "Горячее питание"}
	plan := Build(profiles(t)[store.School], site(org, p), Options{})
	if got := sectionOf(plan, p.url); got != "" {
		t.Fatalf("conflicting page placed silently in %s", got)
	}
	var found bool
	for _, it := range plan.Unplaced {
		if it.SourceURL == p.url {
			found = len(it.Candidates) >= 2
		}
	}
	if !found {
		t.Fatalf("conflicting page not left for review with candidates: %+v", plan.Unplaced)
	}
}

func TestGapsForMissingSubsection(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	plan := Build(profiles(t)[store.School], site(org, page{url: "http://s.example/sveden/common.html", title: "Основные сведения"}), Options{})
	gaps := map[string]bool{}
	for _, g := range plan.Gaps {
		if g.Item == "" {
			gaps[g.Section] = true
		}
	}
	if !gaps["sveden/catering"] || !gaps["sveden/paid_edu"] || gaps["sveden/common"] {
		t.Fatalf("gaps %+v", plan.Gaps)
	}
	var regDate bool
	for _, g := range plan.Gaps {
		regDate = regDate || (g.Section == "sveden/common" && g.Item == "regDate")
	}
	if !regDate {
		t.Fatalf("missing mandated item regDate not reported: %+v", plan.Gaps)
	}
}

func TestNoLegacySiteIsAllGaps(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.Preschool}
	plan := Build(profiles(t)[store.Preschool], Input{Org: org}, Options{})
	placed, unplaced, excluded := plan.Counts()
	if placed+unplaced+excluded != 0 || len(plan.Gaps) < 13 {
		t.Fatalf("plan of an organisation without a site: %d %d %d, %d gaps", placed, unplaced, excluded, len(plan.Gaps))
	}
}

func TestEveryItemOnce(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	in := site(org,
		page{url: "http://s.example/sveden/common.html", title: "Основные сведения"},
		page{url: "http://s.example/misc.html", title: "Разное"},
	)
	in.Pages = append(in.Pages,
		&store.Page{URL: "http://s.example/gone.html", Kind: store.KindPage, Status: 404, Error: "HTTP 404"},
		&store.Page{URL: "http://s.example/files/ustav.pdf", Kind: store.KindAttachment, Status: 200, FileName: "ustav.pdf",
			Referrers: []store.Ref{{URL: "http://s.example/sveden/common.html", Anchor: "Устав школы"}}},
	)
	plan := Build(profiles(t)[store.School], in, Options{})
	seen := map[string]int{}
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			seen[it.SourceURL]++
		}
	}
	for _, it := range append(plan.Unplaced, plan.Excluded...) {
		seen[it.SourceURL]++
	}
	for _, p := range in.Pages {
		if seen[p.URL] != 1 {
			t.Errorf("%s appears %d times", p.URL, seen[p.URL])
		}
	}
	if got := sectionOf(plan, "http://s.example/files/ustav.pdf"); got != "sveden/common" && got != "sveden/document" {
		t.Errorf("document placed in %q", got)
	}
}

func TestScannedAttachmentIsFlaggedAndAGap(t *testing.T) {
	profiles, err := LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	org := &store.Org{ID: "3801", Type: store.School, LegacyURL: "http://sch.example/"}
	page := &store.Page{URL: "http://sch.example/sveden/document.html", Kind: store.KindPage, Status: 200}
	file := func(name, anchor string) *store.Page {
		return &store.Page{URL: "http://sch.example/files/" + name, Kind: store.KindAttachment, Status: 200, FileName: name, Size: 10,
			Blob:      store.BlobID{name[0]},
			Referrers: []store.Ref{{URL: page.URL, Anchor: anchor}}}
	}
	scan, plain := file("scan.pdf", "Документ"), file("doc1.pdf", "Документ 1")
	in := Input{Org: org, Pages: []*store.Page{page, scan, plain},
		Docs: map[string]*extract.Document{page.URL: {URL: page.URL, Title: "Документы", Text: "Документы школы",
			Links: []extract.Link{{URL: scan.URL, Text: "Документ", Attachment: true, InContent: true}, {URL: plain.URL, Text: "Документ 1", Attachment: true, InContent: true}}}},
		Attach: map[string]AttachText{
			scan.URL:  {Scan: true},
			plain.URL: {Text: "УСТАВ муниципального бюджетного общеобразовательного учреждения «Средняя школа № 1»"},
		}}
	plan := Build(profiles[store.School], in, Options{})
	var gotScan, gotPlain *Item
	plan.eachItem(func(it *Item) {
		switch it.SourceURL {
		case scan.URL:
			gotScan = it
		case plain.URL:
			gotPlain = it
		}
	})
	if gotScan == nil || gotScan.Warning != ScanWarning {
		t.Fatalf("the scan is not flagged: %+v", gotScan)
	}
	if gotPlain == nil || gotPlain.DocKind != "устав" || gotPlain.Warning != "" {
		t.Fatalf("the document kind was not read from the text: %+v", gotPlain)
	}
	found := false
	for _, g := range plan.Gaps {
		if strings.Contains(g.Why, "сканом") && strings.Contains(g.Why, scan.URL) {
			found = true
		}
	}
	if !found {
		t.Errorf("no gap asks for a machine-readable version of the scan: %+v", plan.Gaps)
	}
}
