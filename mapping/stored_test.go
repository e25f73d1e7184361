package mapping

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"perenos/extract"
	"perenos/extract/records"
	"perenos/store"
)

// The map stage reads a site's documents as they were stored, less what
// the template removed (Dropped) and their Markdown and Text (read again
// page by page), and holds each string the site's pages repeat once: the
// same menu link on a thousand pages is one string.
func TestReadDocsHoldsRepeatsOnce(t *testing.T) {
	ws := store.TestStore(t)
	if _, err := ws.UpsertOrg("test", store.Org{ID: "o1", Name: "Школа", Type: store.School, LegacyURL: "http://s.example/"}); err != nil {
		t.Fatal(err)
	}
	const n = 300
	want := map[string]*extract.Document{}
	err := ws.Update(func(tx store.Tx) error {
		for i := range n {
			u := fmt.Sprintf("http://s.example/p%d.html", i)
			d := &extract.Document{URL: u, Title: fmt.Sprint("Страница ", i), HTMLTitle: "Школа №1", Markdown: fmt.Sprint("Текст ", i), Text: fmt.Sprint("Текст ", i),
				Breadcrumbs: []string{"Главная", "Сведения"}, Itemprops: []string{"fio"},
				Links: []extract.Link{{URL: "http://s.example/sveden/", Text: "Сведения"}, {URL: "http://s.example/news/", Text: "Новости"},
					{URL: fmt.Sprintf("http://s.example/f%d.pdf", i), Text: "Устав", Attachment: true, InContent: true}},
				Dropped: []extract.Dropped{{Text: "меню сайта", Why: "template"}},
				Records: []records.Record{{Type: "contact", Fields: map[string]string{"phone": fmt.Sprint(i)}}}}
			if err := extract.Docs.Put(tx, "o1", u, d); err != nil {
				return err
			}
			c := *d
			c.Dropped, c.Markdown, c.Text = nil, "", ""
			want[u] = &c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, bodies, err := readDocs(ws, "o1", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("read %d documents of %d", len(got), n)
	}
	distinct := map[*byte]bool{}
	for u, d := range got {
		if !reflect.DeepEqual(d, want[u]) {
			t.Fatalf("%s read back as\n%+v\nwant\n%+v", u, d, want[u])
		}
		i := strings.TrimPrefix(strings.TrimSuffix(u, ".html"), "http://s.example/p")
		if md, text := bodies.read(u, true); md != "Текст "+i || text != "Текст "+i {
			t.Fatalf("%s: its Markdown and Text read again as %q, %q", u, md, text)
		}
		if s := bodies.sums[u]; s.blank || s.runes == 0 {
			t.Fatalf("%s: its text summed up as %+v", u, s)
		}
		for _, l := range d.Links {
			distinct[unsafe.StringData(l.URL)] = true
			distinct[unsafe.StringData(l.Text)] = true
		}
		distinct[unsafe.StringData(d.HTMLTitle)] = true
	}
	// two menu links (address and text), the site's name, and each
	// page's own file: its address, and one text «Устав» for all
	if want := 2*2 + 1 + n + 1; len(distinct) != want {
		t.Errorf("the documents' link strings and titles are %d strings, want %d: repeats are not held once", len(distinct), want)
	}
}

// maxWrite records the largest single write.
type maxWrite struct{ n, max int }

func (m *maxWrite) Write(p []byte) (int, error) {
	m.n += len(p)
	m.max = max(m.max, len(p))
	return len(p), nil
}

// A plan is stored without its whole JSON ever being in memory: the
// largest piece written is one item (or the plan without its items), not
// the plan. A plan of a large site is hundreds of MB of JSON.
func TestPlanIsWrittenItemByItem(t *testing.T) {
	p := &Plan{Org: "o1", Type: store.School, Sections: []SectionPlan{{ID: "s", Items: []Item{}}}, Unplaced: []Item{}, Excluded: []Item{}, Gaps: []Gap{}}
	body := make([]byte, 4000)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	for i := range 3000 {
		it := Item{Key: fmt.Sprint("/p", i), Kind: KindPage, Title: "Страница", Body: string(body)}
		switch i % 3 {
		case 0:
			p.Sections[0].Items = append(p.Sections[0].Items, it)
		case 1:
			p.Unplaced = append(p.Unplaced, it)
		default:
			p.Excluded = append(p.Excluded, it)
		}
	}
	var w maxWrite
	if err := writePlanJSON(&w, p); err != nil {
		t.Fatal(err)
	}
	whole, _ := json.Marshal(p)
	one, _ := json.Marshal(&p.Unplaced[0])
	if w.n != len(whole) {
		t.Fatalf("wrote %d bytes, the plan's JSON is %d", w.n, len(whole))
	}
	if w.max > 2*len(one) {
		t.Errorf("the largest write was %d bytes of a %d-byte plan, where an item is %d: the plan is marshalled whole", w.max, w.n, len(one))
	}
	// and what is stored is that JSON
	enc, err := encodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	ws := store.TestStore(t)
	if err := ws.Update(func(tx store.Tx) error { return Plans.PutEncoded(tx, "o1", planKey, enc) }); err != nil {
		t.Fatal(err)
	}
	raw, err := ws.GetRecord(Plans.Kind, "o1", planKey)
	if err != nil || string(raw) != string(whole) {
		t.Errorf("the stored plan is not its JSON (%d bytes, want %d): %v", len(raw), len(whole), err)
	}
}

// A stored document's Markdown and Text read back alone are what decoding
// the whole document gives, whatever they hold: escapes, HTML characters
// json.Marshal writes as \u, lines that are not UTF-8, and JSON of
// another shape than the ledger's.
func TestBodyFieldsReadWhatTheDocumentHolds(t *testing.T) {
	texts := []string{
		"", "Текст", "строка\nстрока\t«кавычки» \"двойные\" \\ /", "<a href=\"x\">&amp;</a> > <",
		"\u2028\u2029 \x01\x1f", "😀 emoji and \U0001F600", "bad \xff\xfe utf-8", "\\u0041 not an escape",
		`ends with a backslash \`, strings.Repeat("длинный текст ", 2000),
	}
	for i, md := range texts {
		for _, text := range texts {
			d := extract.Document{URL: "http://s.example/p", Title: `"markdown":"не то"`, Headings: []string{`"text":"`}, Markdown: md, Text: text,
				Links: []extract.Link{{URL: "http://s.example/", Text: "text"}}}
			raw, err := json.Marshal(&d)
			if err != nil {
				t.Fatal(err)
			}
			var want extract.Document
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			gm, gt, err := bodyFields(raw, true, true)
			if err != nil || gm != want.Markdown || gt != want.Text {
				t.Fatalf("case %d: read %q, %q (%v), want %q, %q", i, gm, gt, err, want.Markdown, want.Text)
			}
			if gm, gt, err := bodyFields(raw, true, false); err != nil || gm != want.Markdown || gt != "" {
				t.Fatalf("case %d without the text: read %q, %q (%v)", i, gm, gt, err)
			}
			if gm, gt, err := bodyFields(raw, false, true); err != nil || gm != "" || gt != want.Text {
				t.Fatalf("case %d, the text alone: read %q, %q (%v)", i, gm, gt, err)
			}
		}
	}
	// JSON not as json.Marshal writes a document: decoded whole.
	for _, raw := range []string{
		`{"text": "т", "markdown": "м"}`,
		`{"markdown":"м","links":[{"text":"не то"}],"text":"т"}`,
		`{"url":"u", "markdown" : "м" , "text" : "т"}`,
		`{"markdown":"\ud800 half a pair","text":"т"}`,
	} {
		var want extract.Document
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatal(err)
		}
		gm, gt, err := bodyFields([]byte(raw), true, true)
		if err != nil || gm != want.Markdown || gt != want.Text {
			t.Errorf("%s: read %q, %q (%v), want %q, %q", raw, gm, gt, err, want.Markdown, want.Text)
		}
	}
}

// A record the site's template repeats on every page (the footer's
// contacts) is held as one map of fields for all its copies; records
// whose fields differ in any key or value, however their text runs
// together, keep their own.
func TestRepeatedRecordFieldsHeldOnce(t *testing.T) {
	strs, fields := interner{}, fieldSets{}
	footer := func() map[string]string {
		return map[string]string{"address": "665830, г. Ангарск, 84 квартал, д. 17", "phone": "52-17-07"}
	}
	var docs []*extract.Document
	for range 50 {
		d := &extract.Document{Records: []records.Record{{Type: "contact", Fields: footer()}}}
		compact(d, strs, fields)
		docs = append(docs, d)
	}
	first := docs[0].Records[0].Fields
	for _, d := range docs {
		if !reflect.DeepEqual(d.Records[0].Fields, footer()) {
			t.Fatalf("the footer's fields read back as %v", d.Records[0].Fields)
		}
		if reflect.ValueOf(d.Records[0].Fields).UnsafePointer() != reflect.ValueOf(first).UnsafePointer() {
			t.Fatal("a copy of the footer's record has a map of its own")
		}
	}
	// the same text split differently between keys and values
	differ := []map[string]string{
		{"a": "b", "c": "d"},
		{"a": "bc", "": "d"},
		{"a": "b1:c", "d": ""},
		{"ab": "", "c": "d"},
		{"a": "b", "c": "d", "e": ""},
	}
	seen := map[string]int{}
	for i, f := range differ {
		k := fieldsKey(f)
		if j, ok := seen[k]; ok {
			t.Errorf("fields %v and %v have one key %q", differ[j], f, k)
		}
		seen[k] = i
		if got := fields.of(f, strs); !reflect.DeepEqual(got, f) {
			t.Errorf("fields %v held as %v", f, got)
		}
	}
}
