package mapping

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"perenos/extract"
	"perenos/extract/records"
	"perenos/store"
)

func TestStems(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"учителя", "учителей", true},
		{"Приёма", "приема", true},
		{"Организация питания", "организации питания", true},
		{"новости", "новостей", true},
		{"новости", "novости", false}, // a mixed Latin/Cyrillic spelling is not the word
		{"цены", "ценности", false},
	}
	for _, c := range cases {
		if got := slices.Equal(stems(c.a), stems(c.b)); got != c.same {
			t.Errorf("stems(%q)=%v, stems(%q)=%v: equal %v, want %v", c.a, stems(c.a), c.b, stems(c.b), got, c.same)
		}
	}
	ps := newPhrases([]string{"учителя", "педагогический состав"})
	for _, c := range []struct {
		text string
		want int
	}{
		{"Наши учителя", matchExact},
		{"С Днём учителя!", matchWord},
		{"Руководство. Педагогический (научно-педагогический) состав", matchPhrase},
		{"Педагогический состав школы", matchMost},
		{"Структура", matchNone},
		{"Учителя школы", matchMost}, // the organisation's own words name no section
		{"Учителя МБОУ СОШ № 5", matchMost},
		{"Учителя и родители", matchWord},
		{"Школа", matchNone},
	} {
		if got, _ := matchShort(stems(c.text), ps); got != c.want {
			t.Errorf("matchShort(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

// newsSite builds an input of pages given as (url, title, breadcrumbs).
func newsSite(org *store.Org, rows ...[3]string) Input {
	in := Input{Org: org, Docs: map[string]*extract.Document{}}
	for _, r := range rows {
		d := &extract.Document{URL: r[0], Title: r[1], Text: "Текст: " + r[1], Markdown: "Текст: " + r[1]}
		if r[2] != "" {
			d.Breadcrumbs = strings.Split(r[2], "|")
		}
		in.Docs[r[0]] = d
		in.Pages = append(in.Pages, &store.Page{URL: r[0], Kind: store.KindPage, Status: 200})
	}
	return in
}

func itemOf(p *Plan, url string) (Item, string) {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.SourceURL == url {
				return it, s.ID
			}
		}
	}
	return Item{}, ""
}

// News items whose titles carry a section's words stay news: the address
// and the breadcrumbs say what they are.
func TestNewsStayNews(t *testing.T) {
	cases := []struct {
		typ        store.OrgType
		url, title string
		crumbs     string
		kind, date string
	}{
		{store.School, "http://s.example/news/2023-10-05.html", "С Днём учителя! Праздничный концерт для педагогов", "", KindNews, "2023-10-05"},
		{store.Medical, "http://s.example/news/118/", "Режим работы поликлиники в ноябрьские праздники", "Главная|Новости", KindNews, ""},
		{store.Medical, "http://s.example/news/detail.php?ID=7", "Изменение графика работы в праздничные дни", "", KindNews, ""},
		{store.Municipal, "http://s.example/2023/10/12/zasedanie-dumy/", "Заседание Думы: бюджет и структура администрации", "", KindNews, "2023-10-12"},
		{store.Municipal, "http://s.example/2023/10/", "Месяц: Октябрь 2023", "", KindPage, ""},
		{store.School, "http://s.example/news/den-znaniy/2023-09-01-45", "День знаний", "", KindNews, "2023-09-01"},
		{store.Preschool, "http://s.example/stati/pitanie-rebenka-v-2-goda/", "Питание ребёнка в два года", "", KindNews, ""}, // a blog's articles folder
		{store.Preschool, "http://s.example/articles/adaptaciya.html", "Адаптация к детскому саду", "", KindNews, ""},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			org := &store.Org{ID: "1", Type: c.typ}
			plan := Build(profiles(t)[c.typ], newsSite(org, [3]string{c.url, c.title, c.crumbs}), Options{})
			it, sec := itemOf(plan, c.url)
			if sec != NewsSection || it.Kind != c.kind || it.Date != c.date {
				t.Fatalf("placed in %q as %s dated %q, want news as %s dated %q; unplaced %+v", sec, it.Kind, it.Date, c.kind, c.date, plan.Unplaced)
			}
		})
	}
}

// A page under a section's folder with a title of a more specific section
// is placed by its own evidence: the folder does not contradict it.
func TestContextDoesNotConflict(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.Medical}
	u := "http://s.example/patients/pravila-zapisi/"
	in := newsSite(org, [3]string{u, "Правила записи на первичный приём", "Главная|Пациентам"})
	plan := Build(profiles(t)[store.Medical], in, Options{})
	if _, sec := itemOf(plan, u); sec != "med/appointment" {
		t.Fatalf("placed in %q, want med/appointment; unplaced %+v", sec, plan.Unplaced)
	}
}

const combinedStaff = `# Руководство. Педагогический (научно-педагогический) состав

Сведения обновлены 01.09.2023.

## Руководство

| ФИО | Должность |
| --- | --- |
| Гусева Т.Н. | директор |

## Педагогический состав

| ФИО | Должность | Дисциплины |
| --- | --- | --- |
| Лаптева И.О. | учитель | Химия |
`

func TestCombinedStaffPageSplit(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	u := "http://s.example/sveden/employees.html"
	in := Input{Org: org, Docs: map[string]*extract.Document{u: {
		URL: u, Title: "Руководство. Педагогический (научно-педагогический) состав", Markdown: combinedStaff, Text: combinedStaff,
		Headings: []string{"Руководство. Педагогический (научно-педагогический) состав", "Руководство", "Педагогический состав"},
	}}, Pages: []*store.Page{{URL: u, Kind: store.KindPage, Status: 200}}}
	plan := Build(profiles(t)[store.School], in, Options{})
	var parts []string
	keys := map[string]bool{}
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			if it.SourceURL != u {
				continue
			}
			parts = append(parts, s.ID)
			keys[it.Key] = true
			switch s.ID {
			case "sveden/managers":
				if !strings.Contains(it.Body, "Гусева") || strings.Contains(it.Body, "Лаптева") {
					t.Errorf("leadership part holds the wrong rows:\n%s", it.Body)
				}
			case "sveden/employees":
				if !strings.Contains(it.Body, "Лаптева") || strings.Contains(it.Body, "Гусева") {
					t.Errorf("teaching staff part holds the wrong rows:\n%s", it.Body)
				}
			}
			if it.Confidence < 0.6 || len(it.Reasons) == 0 {
				t.Errorf("part without confidence or reasons: %+v", it)
			}
		}
	}
	slices.Sort(parts)
	if !slices.Equal(parts, []string{"sveden/employees", "sveden/managers"}) || len(keys) != 2 {
		t.Fatalf("combined staff page placed as %v with keys %v; unplaced %+v", parts, keys, plan.Unplaced)
	}

	// a page whose top-level parts are not all mandated subsections stays whole
	about := "# О больнице\n\n## Общие сведения\n\nПолное наименование…\n\n## Учредитель\n\nМинздрав области\n\n## Руководство\n\nГлавный врач…\n"
	u2 := "http://s.example/about/"
	in2 := Input{Org: &store.Org{ID: "2", Type: store.Medical}, Docs: map[string]*extract.Document{u2: {URL: u2, Title: "О больнице", Markdown: about, Text: about}},
		Pages: []*store.Page{{URL: u2, Kind: store.KindPage, Status: 200}}}
	plan2 := Build(profiles(t)[store.Medical], in2, Options{})
	n := 0
	for _, s := range plan2.Sections {
		for _, it := range s.Items {
			if it.SourceURL == u2 {
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("the about page was split into %d parts", n)
	}
}

func TestRecordsPlacedOnce(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	staffURL := "http://s.example/sveden/employees.html"
	newsURL := "http://s.example/news/2023-09-01.html"
	listURL := "http://s.example/news/"
	in := newsSite(org,
		[3]string{staffURL, "Педагогический состав", ""},
		[3]string{newsURL, "День знаний", ""},
		[3]string{listURL, "Новости", ""},
	)
	in.Docs[staffURL].Records = []records.Record{
		{Type: "rucovodstvo", Fields: map[string]string{"fio": "Гусева Т.Н.", "post": "директор"}},
		{Type: "teachingStaff", Fields: map[string]string{"fio": "Лаптева И.О.", "post": "учитель"}},
		{Type: "staff", Fields: map[string]string{"fio": "Ершов В.С.", "post": "Заместитель директора по УВР"}},
		{Type: "staff", Fields: map[string]string{"fio": "Сомов А.И.", "post": "учитель истории"}},
	}
	in.Docs[listURL].Records = []records.Record{
		{Type: "news", Fields: map[string]string{"title": "День знаний", "url": "/news/2023-09-01.html"}},
		{Type: "news", Fields: map[string]string{"title": "Сбор макулатуры", "date": "2023-10-01"}},
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	want := map[string]string{
		staffURL + "#record-1-rucovodstvo":   "sveden/managers",
		staffURL + "#record-2-teachingStaff": "sveden/employees",
		staffURL + "#record-3-staff":         "sveden/managers",
		staffURL + "#record-4-staff":         "sveden/employees",
		listURL + "#record-2-news":           "news",
	}
	for u, sec := range want {
		it, got := itemOf(plan, u)
		if got != sec || it.Kind != KindRecord || len(it.Fields) == 0 {
			t.Errorf("record %s placed in %q as %+v, want %s", u, got, it, sec)
		}
	}
	dup := listURL + "#record-1-news"
	var excluded bool
	for _, it := range plan.Excluded {
		excluded = excluded || it.SourceURL == dup && strings.Contains(it.Reason, newsURL)
	}
	if !excluded {
		t.Errorf("a news teaser of a migrated news page is not excluded as a repeat: %+v", plan.Excluded)
	}
	assertEachOnce(t, plan, 3+4+2)
}

// assertEachOnce checks that no item appears twice and that n items appear.
func assertEachOnce(t *testing.T, plan *Plan, n int) {
	t.Helper()
	seen := map[string]int{}
	total := 0
	plan.eachItem(func(it *Item) {
		seen[it.Key]++
		total++
	})
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s appears %d times", k, c)
		}
	}
	if total != n {
		t.Errorf("%d items in the plan, want %d", total, n)
	}
}

func TestDuplicatesExcluded(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	long := strings.Repeat("Школа работает в две смены, занятия начинаются в 8:00. ", 3)
	a, b := "http://s.example/sveden/common.html", "http://s.example/index.php?option=com_content&id=5&print=1"
	in := Input{Org: org, Docs: map[string]*extract.Document{
		a: {URL: a, Title: "Основные сведения", Text: long, Markdown: long},
		b: {URL: b, Title: "Основные сведения (печать)", Text: long, Markdown: long},
	}, Pages: []*store.Page{
		{URL: a, Kind: store.KindPage, Status: 200},
		{URL: b, Kind: store.KindPage, Status: 200},
	}}
	blob := store.BlobID{1, 2, 3}
	in.Pages = append(in.Pages,
		&store.Page{URL: "http://s.example/files/ustav.pdf", Kind: store.KindAttachment, Status: 200, Blob: blob, FileName: "ustav.pdf", Referrers: []store.Ref{{URL: a, Anchor: "Устав"}}},
		&store.Page{URL: "http://s.example/upload/ustav-2.pdf", Kind: store.KindAttachment, Status: 200, Blob: blob, FileName: "ustav-2.pdf", Referrers: []store.Ref{{URL: a, Anchor: "Устав (копия)"}}},
	)
	plan := Build(profiles(t)[store.School], in, Options{})
	reasons := map[string]string{}
	for _, it := range plan.Excluded {
		reasons[it.SourceURL] = it.Reason
	}
	if !strings.HasPrefix(reasons[b], "копия страницы "+a) {
		t.Errorf("the print copy is not excluded as a copy of %s: %q", a, reasons[b])
	}
	if !strings.HasPrefix(reasons["http://s.example/upload/ustav-2.pdf"], "копия файла http://s.example/files/ustav.pdf") {
		t.Errorf("the same file linked twice is not excluded: %+v", plan.Excluded)
	}
	assertEachOnce(t, plan, 4)
}

// Sites without microdata satisfy mandated items by the words of their pages.
func TestGapsItemsFromText(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.Medical}
	u := "http://s.example/about/"
	text := "Полное наименование: ОГБУЗ «Районная больница». Учредитель: министерство здравоохранения области."
	in := Input{Org: org, Docs: map[string]*extract.Document{u: {URL: u, Title: "О больнице", Text: text, Markdown: text}},
		Pages: []*store.Page{{URL: u, Kind: store.KindPage, Status: 200}}}
	plan := Build(profiles(t)[store.Medical], in, Options{})
	items := map[string]bool{}
	for _, g := range plan.Gaps {
		if g.Section == "med/about" {
			items[g.Item] = true
		}
	}
	if items["fullName"] || items["founder"] || !items["regDate"] || items[""] {
		t.Fatalf("gaps of med/about: %v (want regDate only among fullName, founder, regDate)", items)
	}
}

func TestProfileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := "sections:\n  - id: news\n    title: Новости\n    slugs: [novости]\n    portal_path: /novosti/\n  - id: other\n    title: Прочее\n    portal_path: /prochee/\n"
	if err := os.WriteFile(filepath.Join(dir, "common.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadProfiles(dir)
	if err == nil || !strings.Contains(err.Error(), "novости") || !strings.Contains(err.Error(), ".yaml") {
		t.Fatalf("a slug with Cyrillic letters was accepted or badly reported: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "common.yaml"), []byte("sections:\n  - id: x\n    titel: X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfiles(dir); err == nil || !strings.Contains(err.Error(), "common.yaml") {
		t.Fatalf("an unknown field was accepted or badly reported: %v", err)
	}
}

func TestWorksheet(t *testing.T) {
	org := &store.Org{ID: "7", Name: "Школа <№ 7>", Type: store.School}
	prof := profiles(t)[store.School]
	plan := Build(prof, site(org, page{url: "http://s.example/sveden/common.html", title: "Основные сведения"}), Options{})
	rows := Worksheet(prof, plan)
	if len(rows) != len(plan.Gaps) || len(rows) == 0 {
		t.Fatalf("%d rows for %d gaps", len(rows), len(plan.Gaps))
	}
	var catering *WorksheetRow
	for i := range rows {
		if rows[i].Section == "sveden/catering" {
			catering = &rows[i]
		}
		if rows[i].Basis == "" || rows[i].PortalPath == "" {
			t.Errorf("row without basis or portal path: %+v", rows[i])
		}
	}
	if catering == nil || !strings.Contains(catering.Basis, "1493") || !strings.Contains(catering.What, "Организация питания") {
		t.Fatalf("catering row: %+v", catering)
	}

	var buf bytes.Buffer
	if err := WriteWorksheet(&buf, "csv", org, rows); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != len(rows)+1 || recs[0][0] != "№" {
		t.Fatalf("csv: %v, %d records", err, len(recs))
	}

	buf.Reset()
	if err := WriteWorksheet(&buf, "xlsx", org, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Пробелы")
	if err != nil || len(got) != len(rows)+3 || !strings.Contains(got[0][0], "Школа <№ 7>") {
		t.Fatalf("xlsx: %v, %d rows", err, len(got))
	}

	buf.Reset()
	if err := WriteWorksheet(&buf, "html", org, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Школа &lt;№ 7&gt;") || strings.Contains(buf.String(), "<№ 7>") {
		t.Fatal("html worksheet does not escape the organisation's name")
	}
	if err := WriteWorksheet(&buf, "pdf", org, rows); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}

// The same record on many pages (a contact block in the site's footer) is
// migrated once, from the page of the section it belongs to.
func TestRepeatedRecordPlacedOnce(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	pages := [][3]string{
		{"http://s.example/sveden/common.html", "Основные сведения", ""},
		{"http://s.example/contacts.html", "Контакты", ""},
		{"http://s.example/history.html", "История школы", ""},
	}
	in := newsSite(org, pages...)
	for _, p := range pages {
		in.Docs[p[0]].Records = []records.Record{{Type: "contact", Fields: map[string]string{"address": "665830, г. Ангарск,  84 квартал, д. 17", "phone": "52-17-07"}}}
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	placed := 0
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			if it.Kind == KindRecord {
				placed++
				if s.ID != "contacts" || !strings.HasPrefix(it.SourceURL, "http://s.example/contacts.html#") {
					t.Errorf("the contact record kept is %s in %s, want the contacts page's", it.SourceURL, s.ID)
				}
			}
		}
	}
	if placed != 1 {
		t.Fatalf("%d copies of one record placed", placed)
	}
	assertEachOnce(t, plan, 6)
}

// A record that only points to a page is excluded with a reason that is
// true: the page is migrated on its own, or it is excluded too (a copy for
// the visually impaired) and the record merely links to it.
func TestRecordPointingToAPageSaysWhatBecameOfIt(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	long := strings.Repeat("Вечер встречи выпускников пройдёт в актовом зале. ", 3)
	list, item, copyURL := "http://s.example/news/", "http://s.example/news/vecher.html", "http://s.example/news/vecher.html?special=1"
	in := Input{Org: org, Docs: map[string]*extract.Document{
		list: {URL: list, Title: "Новости", Text: "Новости школы", Markdown: "Новости школы", Records: []records.Record{
			{Type: "news", Fields: map[string]string{"title": "Вечер встречи", "url": item}},
			{Type: "news", Fields: map[string]string{"title": "Вечер встречи (для слабовидящих)", "url": copyURL}},
		}},
		item:    {URL: item, Title: "Вечер встречи", Text: long, Markdown: long},
		copyURL: {URL: copyURL, Title: "Вечер встречи", Text: long, Markdown: long, Print: true},
	}}
	for _, u := range []string{list, item, copyURL} {
		in.Pages = append(in.Pages, &store.Page{URL: u, Kind: store.KindPage, Status: 200})
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	why := map[string]string{}
	for _, it := range plan.Excluded {
		if it.Kind == KindRecord {
			why[it.Fields["url"]] = it.Reason
		}
	}
	if want := "запись повторяет " + item + ", которая переносится отдельно"; why[item] != want {
		t.Errorf("record pointing to a migrated page: %q, want %q", why[item], want)
	}
	if want := "запись лишь ссылается на " + copyURL + ", а та тоже исключена из переноса"; why[copyURL] != want {
		t.Errorf("record pointing to an excluded copy: %q, want %q", why[copyURL], want)
	}
}

// Pages with the same text are one page and its copies only when their
// titles agree or say nothing (the site's name): two pages whose main text
// the extraction could not tell apart, one «Платные образовательные
// услуги» and one «Антикоррупционная политика», are two pages, however
// long the text.
func TestSameTextDifferentTitlesAreTwoPages(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	long := strings.Repeat("Школа работает в две смены, занятия начинаются в 8:00, кружки — после уроков. ", 20)
	a, b, c := "http://s.example/platnye.html", "http://s.example/antikor.html", "http://s.example/platnye.html?print=1"
	in := Input{Org: org, Docs: map[string]*extract.Document{
		a: {URL: a, Title: "Платные образовательные услуги", Text: long, Markdown: long},
		b: {URL: b, Title: "Антикоррупционная политика", Text: long, Markdown: long},
		c: {URL: c, Title: "Платные образовательные услуги", Text: long, Markdown: long},
	}}
	for _, u := range []string{a, b, c} {
		in.Pages = append(in.Pages, &store.Page{URL: u, Kind: store.KindPage, Status: 200})
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	for _, e := range plan.Excluded {
		if e.SourceURL == a || e.SourceURL == b {
			t.Errorf("%s excluded: %s", e.SourceURL, e.Reason)
		}
	}
	if it, sec := findItem(plan, c); sec != "" {
		t.Errorf("the same page under another address is placed in %s: %+v", sec, it)
	}
}

// A «Сведения» page that is only a list of documents whose files are gone
// (404): each row goes where its document would, by what it is (its
// kind, or its title's subject; a local act by its first word), and stays
// on «Сведения» only when it says nothing.
func TestDocumentRowsOfTheRootPagePlacedByWhatTheyAre(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	root := "http://s.example/info.php"
	rows := map[string]string{ // title → section
		"Устав школы": "sveden/document",
		"Финансово-хозяйственная деятельность": "sveden/budget",
		"Положение о языке образования":        "sveden/education",
		"Положение об учебниках":               "sveden/document", // a local act, by its first word
		"Порядок приобретения аттестатов":      "sveden/document",
		"Положение об организации питания":     "sveden/catering", // its subject's section first
		"Уровни образования":                   "sveden/education",
		"План работы":                          "sveden", // says nothing: its page's
	}
	d := &extract.Document{URL: root, Title: "Сведения об образовательной организации", Text: "Документы", Markdown: "Документы"}
	in := Input{Org: org, Docs: map[string]*extract.Document{root: d}}
	in.Pages = append(in.Pages, &store.Page{URL: root, Kind: store.KindPage, Status: 200})
	i := 0
	for title := range rows {
		i++
		u := fmt.Sprintf("http://s.example/docs/%d.pdf", i)
		d.Records = append(d.Records, records.Record{Type: "document", Fields: map[string]string{"title": title, "url": u}})
		in.Pages = append(in.Pages, &store.Page{URL: u, Kind: store.KindAttachment, Status: 404, Error: "HTTP 404",
			Referrers: []store.Ref{{URL: root, Anchor: title}}})
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	got := map[string]string{}
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			if it.Kind == KindRecord {
				got[it.Fields["title"]] = s.ID
			}
		}
	}
	for title, want := range rows {
		if got[title] != want {
			t.Errorf("row «%s»: placed in %q, want %s", title, got[title], want)
		}
	}
}

// The ledger keeps a page's first referrer only; the anchor texts of every
// other link to it are in the linking pages' documents, and name it too.
func TestAnchorOfALaterLinkNamesThePage(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	home, about, target := "http://s.example/", "http://s.example/about.html", "http://s.example/p17.html"
	text := "Занятия проходят по вторникам и четвергам после уроков, запись у классного руководителя."
	in := Input{Org: org, Docs: map[string]*extract.Document{
		home:   {URL: home, Title: "Главная", Text: "Добро пожаловать", Markdown: "Добро пожаловать", Links: []extract.Link{{URL: target, Text: "Подробнее", InContent: true}}},
		about:  {URL: about, Title: "О школе", Text: "Школа открыта в 1968 году.", Markdown: "Школа открыта в 1968 году.", Links: []extract.Link{{URL: target, Text: "Платные образовательные услуги", InContent: true}}},
		target: {URL: target, Title: "Страница", Text: text, Markdown: text},
	}}
	in.Pages = []*store.Page{
		{URL: home, Kind: store.KindPage, Status: 200},
		{URL: about, Kind: store.KindPage, Status: 200, Referrers: []store.Ref{{URL: home, Anchor: "О школе"}}},
		{URL: target, Kind: store.KindPage, Status: 200, Referrers: []store.Ref{{URL: home, Anchor: "Подробнее"}}},
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	if it, sec := findItem(plan, target); sec != "sveden/paid_edu" {
		t.Errorf("page linked as «Платные образовательные услуги» from a later page: in %q (%v), want sveden/paid_edu", sec, it.Reasons)
	}
}

// A numbered item's name under a folder named like a section is that
// section's item: «post_687» under /dokumenty/ is a municipal act
// (постановление), not a blog's post; «post_687» alone stays a post.
func TestNumberedItemUnderASectionsFolder(t *testing.T) {
	for _, c := range []struct {
		typ     store.OrgType
		path    string
		section string
		news    bool
	}{
		{store.Municipal, "/bank/dokumenty/2013/post_687.htm", "omsu/acts", false},
		{store.Municipal, "/blog/post_687.htm", "", true},
		{store.School, "/post-12.html", "", true},
	} {
		in := Input{Org: &store.Org{ID: "1", Type: c.typ}, Docs: map[string]*extract.Document{}}
		cl := newClassifier(profiles(t)[c.typ], in)
		u, _ := url.Parse("http://s.example" + c.path)
		secs := map[string]bool{}
		for _, s := range cl.urlSignals(normURL(u.String()), u) {
			secs[s.section] = true
		}
		if secs[NewsSection] != c.news || c.section != "" && !secs[c.section] {
			t.Errorf("%s %s: address signals for %v, want news %v and %q", c.typ, c.path, secs, c.news, c.section)
		}
	}
}

// A page fetched by two addresses, one of which the server redirects to
// the other (/sveden → /sveden/), is migrated once: the redirect is
// excluded as such, and the page it leads to is no copy of it.
func TestRedirectIsNoOriginalOfItsTarget(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	from, to := "http://s.example/sveden", "http://s.example/sveden/"
	text := "Сведения об образовательной организации: основные сведения, структура и органы управления, документы, образование. Раздел создан по требованиям к сайтам образовательных организаций."
	doc := func(u string) *extract.Document {
		return &extract.Document{URL: u, Title: "Сведения об образовательной организации", Text: text, Markdown: text}
	}
	in := Input{Org: org, Docs: map[string]*extract.Document{from: doc(from), to: doc(to)}, Pages: []*store.Page{
		{URL: from, FinalURL: to, Kind: store.KindPage, Status: 200},
		{URL: to, Kind: store.KindPage, Status: 200},
	}}
	plan := Build(profiles(t)[store.School], in, Options{})
	if sec := sectionOf(plan, to); sec != "sveden" {
		t.Errorf("%s is in %q, want sveden; excluded %+v", to, sec, plan.Excluded)
	}
	for _, it := range plan.Excluded {
		if it.SourceURL == from && it.CopyOf != to {
			t.Errorf("the redirect is excluded as %q, copy of %q; want a redirect to %s", it.Reason, it.CopyOf, to)
		}
	}
	assertEachOnce(t, plan, 2)
}

// A section's main page pulls in the pages only it links in its text; a
// page that other pages link in theirs too (a side menu of a part of the
// site that the template learning kept as content) stays a free page.
func TestMainPagePullsOnlyItsOwnLinks(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: "http://s.example/"}
	in := Input{Org: org, Docs: map[string]*extract.Document{}}
	add := func(u, title, text string, links ...string) {
		d := &extract.Document{URL: u, Title: title, Text: text, Markdown: text, Headings: []string{title}}
		for _, l := range links {
			d.Links = append(d.Links, extract.Link{URL: l, Text: "ссылка", InContent: true})
		}
		in.Docs[u] = d
		in.Pages = append(in.Pages, &store.Page{URL: u, Kind: store.KindPage, Status: 200})
	}
	const h = "http://s.example/"
	side := []string{h + "info/roditelyam.html", h + "info/uchashchimsya.html", h + "info/mto.html"}
	add(h+"info/mto.html", "Материально-техническое обеспечение", "Материально-техническое обеспечение и оснащённость образовательного процесса: кабинеты, спортзал.",
		append(side, h+"info/kabinety-2024.html")...)
	add(h+"info/kabinety-2024.html", "Перечень на 2024 год", "Список оборудованных помещений на 2024 год: 24 помещения, 3 мастерские.")
	add(h+"info/roditelyam.html", "Страница", "Заявления, формы и образцы для скачивания, часы приёма.", side...)
	add(h+"info/uchashchimsya.html", "Страница", "Правила поведения, расписание секций, олимпиады и конкурсы.", side...)
	plan := Build(profiles(t)[store.School], in, Options{})
	if sec := sectionOf(plan, h+"info/kabinety-2024.html"); sec != "sveden/objects" {
		t.Errorf("the page only the main page links is in %q, want sveden/objects", sec)
	}
	for _, u := range side[:2] {
		if sec := sectionOf(plan, u); sec != OtherSection {
			t.Errorf("%s, in the side menu of every page, is in %q, want a free page", u, sec)
		}
	}
}

// The copies of a footer record on a large site are most of its plan's
// items: each is still its own item, with its page's key and the reason
// naming the copy that is placed, and the excluded list is grown once to
// what it holds, not doubled past it.
func TestRepeatedRecordCopiesEachExcluded(t *testing.T) {
	org := &store.Org{ID: "1", Type: store.School}
	pages := [][3]string{{"http://s.example/contacts.html", "Контакты", ""}}
	for i := range 40 {
		pages = append(pages, [3]string{fmt.Sprintf("http://s.example/p%02d.html", i), fmt.Sprintf("Страница %d", i), ""})
	}
	in := newsSite(org, pages...)
	footer := map[string]string{"address": "665830, г. Ангарск, 84 квартал, д. 17", "phone": "52-17-07"}
	for _, p := range pages {
		in.Docs[p[0]].Records = []records.Record{{Type: "contact", Fields: footer}, {Type: "contact", Fields: map[string]string{"phone": p[1]}}}
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	copies := map[string]bool{}
	for _, it := range plan.Excluded {
		if it.Kind != KindRecord {
			continue
		}
		want := "повтор записи со страницы http://s.example/contacts.html (одна и та же запись на нескольких страницах, например в шаблоне сайта)"
		if it.Reason != want || !reflect.DeepEqual(it.Fields, footer) || !strings.HasSuffix(it.Key, "#record-1-contact") {
			t.Errorf("excluded record %s: %q, %v", it.Key, it.Reason, it.Fields)
		}
		copies[it.Key] = true
	}
	if len(copies) != 40 {
		t.Errorf("%d copies of the footer's record excluded, want 40", len(copies))
	}
	if len(plan.Excluded) != cap(plan.Excluded) {
		t.Errorf("the excluded list holds %d items in room for %d", len(plan.Excluded), cap(plan.Excluded))
	}
	assertEachOnce(t, plan, 41+41*2)
}
