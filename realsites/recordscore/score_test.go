package recordscore

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"perenos/extract/records"
	"perenos/portal"
)

func loadTestGold(t *testing.T) *Gold {
	t.Helper()
	g, err := Load(filepath.Join("testdata", "records.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func staffRec(fio, post string) portal.Record {
	return portal.Record{RecordType: "staff", Fields: map[string]string{"fio": fio, "post": post}}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

const base = "http://127.0.0.1:8080/"

func TestScore(t *testing.T) {
	g := loadTestGold(t)
	for _, tc := range []struct {
		name  string
		pages []Page
		check func(t *testing.T, r Report)
	}{
		{"nothing delivered", nil, func(t *testing.T, r Report) {
			if r.Staff.Labelled != 4 || r.Staff.Found != 0 || r.Staff.Recall != 0 || r.Staff.Precision != 1 || r.Staff.F1 != 0 {
				t.Errorf("staff %+v", r.Staff)
			}
			if r.Tuning.Contact.Labelled != 4 || r.Heldout.Contact.Labelled != 1 || r.Contact.Labelled != 5 {
				t.Errorf("contacts labelled: all %d, tuning %d, heldout %d", r.Contact.Labelled, r.Tuning.Contact.Labelled, r.Heldout.Contact.Labelled)
			}
		}},
		{"staff by folded name, posts compared", []Page{{Site: "school", Path: "staff.html", Base: base, Records: []portal.Record{
			staffRec("елкина  Анна\tПетровна", "учитель математики"), // case, ё and spaces folded
			staffRec("Петров Иван Сергеевич", "учитель"),             // post wrong
			staffRec("Глава Района Иванович", ""),                    // optional: not counted
			staffRec("Выдуманный Человек Петрович", "сторож"),        // spurious
			{RecordType: "rucovodstvoZam", Fields: map[string]string{"fio": "Сидорова Мария Ильинична", "post": "Завуч.", "telephone": "+79001112233"}},
		}}}, func(t *testing.T, r Report) {
			s := r.Tuning.Staff
			if s.Labelled != 3 || s.Found != 4 || s.Matched != 3 || !near(s.Precision, 0.75) || !near(s.Recall, 1) || !near(s.PostAccuracy, 2.0/3) {
				t.Errorf("staff %+v", s)
			}
			if r.Tuning.Contact.Found != 0 {
				t.Errorf("a person's own phone counted as a contact: %+v", r.Tuning.Contact)
			}
			if !hasMiss(r, "post", "Петров Иван Сергеевич") || !hasMiss(r, "spurious", "Выдуманный Человек Петрович") {
				t.Errorf("misses: %+v", r.Misses)
			}
		}},
		{"contacts by normalised value, clean values apart", []Page{{Site: "school", Path: "contacts.html", Base: base, Records: []portal.Record{
			{RecordType: "contact", Fields: map[string]string{"phone": "+73952203040; 8 (3952) 20-00-00", "address": "664000, г. Иркутск, ул. Ленина"}},
			{RecordType: "sveden", Fields: map[string]string{"email": "Электронная почта: School@Example.ru", "telephone": "8 (3952) 20-30-40", "workTime": "Пн–пт 8:00–17:00; сб 9:00–13:00."}},
		}}}, func(t *testing.T, r Report) {
			c := r.Tuning.Contact
			// the phone twice (deduplicated), the footer phone optional
			if c.Labelled != 4 || c.Found != 4 || c.Matched != 4 || !near(c.ValueAccuracy, 0.5) {
				t.Errorf("contacts %+v", c)
			}
			if !hasMiss(r, "value", "school@example.ru") || !hasMiss(r, "value", "664000, г. Иркутск, ул. Ленина, д. 5") {
				t.Errorf("misses: %+v", r.Misses)
			}
		}},
		{"contacts of the wrong kind or value", []Page{{Site: "school", Path: "contacts.html", Base: base, Records: []portal.Record{
			{RecordType: "contact", Fields: map[string]string{"email": "73952203040@example.ru", "address": "ул. Другая, 1"}},
		}}}, func(t *testing.T, r Report) {
			c := r.Tuning.Contact
			if c.Matched != 0 || c.Found != 2 || c.Precision != 0 {
				t.Errorf("contacts %+v", c)
			}
		}},
		{"documents by link, titles compared", []Page{{Site: "school", Path: "docs.html", Base: base,
			Documents: []portal.Document{
				{Title: "Устав школы", SourceURL: base + "docs/ustav.pdf"},
				{Title: "Скачать", SourceURL: base + "docs/%D0%9F%D0%BE%D0%BB%D0%BE%D0%B6%D0%B5%D0%BD%D0%B8%D0%B5%20%D0%BE%20%D0%BF%D1%80%D0%B8%D1%91%D0%BC%D0%B5.pdf"},
				{Title: "Газета", SourceURL: base + "docs/news.pdf"},       // optional
				{Title: "Меню", SourceURL: base + "docs/menu.pdf"},         // spurious
				{Title: "Устав школы", SourceURL: base + "docs/ustav.pdf"}, // the same link again
			},
			Records: []portal.Record{{RecordType: "document", Fields: map[string]string{"url": "https://drive.google.com/file/d/1/view", "title": "Приказ № 5", records.ElsewhereField: "drive.google.com"}}},
		}}, func(t *testing.T, r Report) {
			d := r.Tuning.Document
			if d.Labelled != 3 || d.Found != 4 || d.Matched != 3 || !near(d.TitleAccuracy, 2.0/3) || !near(d.Precision, 0.75) {
				t.Errorf("documents %+v", d)
			}
			if !hasMiss(r, "title", "docs/Положение о приёме.pdf") || !hasMiss(r, "spurious", "docs/menu.pdf") {
				t.Errorf("misses: %+v", r.Misses)
			}
		}},
		{"news from a labelled page is spurious; held-out apart", []Page{
			{Site: "school", Path: "staff.html", News: []portal.NewsItem{{Title: "Иванова Мария Петровна", Date: "1975-03-12"}}},
			{Site: "kg", Path: "contacts.html", Records: []portal.Record{
				{RecordType: "news", Fields: map[string]string{"title": "от 4 июля 2013 г."}},
				{RecordType: "contact", Fields: map[string]string{"email": "kg@example.ru"}},
				staffRec("Орлова Дарья Андреевна", "заведующий"),
			}},
			{Site: "other", Path: "index.html", News: []portal.NewsItem{{Title: "Not labelled"}}},
		}, func(t *testing.T, r Report) {
			if r.SpuriousNews != 2 || r.Tuning.SpuriousNews != 1 || r.Heldout.SpuriousNews != 1 {
				t.Errorf("spurious news: all %d, tuning %d, heldout %d", r.SpuriousNews, r.Tuning.SpuriousNews, r.Heldout.SpuriousNews)
			}
			if h := r.Heldout; h.Contact.F1 != 1 || h.Staff.F1 != 1 || h.Staff.PostAccuracy != 1 || r.Tuning.Staff.Matched != 0 {
				t.Errorf("held-out %+v, tuning staff %+v", h, r.Tuning.Staff)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, Score(g, tc.pages)) })
	}
}

func hasMiss(r Report, what, key string) bool {
	for _, m := range r.Misses {
		if m.What == what && m.Key == key {
			return true
		}
	}
	return false
}

func TestContactKey(t *testing.T) {
	for _, tc := range []struct{ typ, in, want string }{
		{"phone", "8 (903) 049-07-70", "79030490770"},
		{"phone", "+7 903 049 07 70", "79030490770"},
		{"phone", "(3652) 273321", "73652273321"},
		{"email", " School@Example.RU ", "school@example.ru"},
		{"address", "г. Иркутск ,  ул. Ленина, 5.", "г. иркутск, ул. ленина, 5"},
		{"hours", "Пн – Пт: 8:00—17:00", "пн-пт: 8:00-17:00"},
	} {
		if got := contactKey(tc.typ, tc.in); got != tc.want {
			t.Errorf("contactKey(%s, %q) = %q, want %q", tc.typ, tc.in, got, tc.want)
		}
	}
}

func TestDocKey(t *testing.T) {
	for _, tc := range []struct{ base, link, want string }{
		{"", "./docs/a.pdf", "docs/a.pdf"},
		{base, base + "docs/a.pdf", "docs/a.pdf"},
		{base, base + "docs%5Clocal%5Ca.pdf", "docs/local/a.pdf"},
		{base, "http://127.0.0.1:8080/docs\\b.pdf", "docs/b.pdf"},
		{base, "https://sch-6.ru/files/c.pdf#page=2", "https://sch-6.ru/files/c.pdf"},
		{"http://127.0.0.1:9000/site/", "http://127.0.0.1:9000/site/d.pdf", "d.pdf"},
	} {
		if got := docKey(tc.base, tc.link); got != tc.want {
			t.Errorf("docKey(%q, %q) = %q, want %q", tc.base, tc.link, got, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"columns", "site\tpath\tpart\tkind\tkey\tfields\na\tb\ttuning\tstaff\n", "line 2: 4 columns"},
		{"part", "a\tb\ttest\tstaff\tИмя\t{}\n", "line 1: part \"test\""},
		{"kind", "a\tb\ttuning\tperson\tИмя\t{}\n", "kind \"person\""},
		{"json", "a\tb\ttuning\tstaff\tИмя\t{post}\n", "line 1: fields are not a JSON object"},
		{"contact type", "a\tb\ttuning\tcontact\t1\t{\"type\": \"fax\"}\n", "contact type \"fax\""},
		{"empty", "site\tpath\tpart\tkind\tkey\tfields\n", "no rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "records.tsv")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want one naming %s and saying %q", err, p, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.tsv")); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestFromRecords(t *testing.T) {
	p := FromRecords("school", "docs.html", base, []records.Record{
		{Type: "document", Fields: map[string]string{"url": base + "docs/a.pdf", "title": "Устав"}},
		{Type: "document", Fields: map[string]string{"title": "Предписаний нет"}},
		{Type: "news", Fields: map[string]string{"title": "Собрание", "date": "2024-03-01"}},
		{Type: "staff", Fields: map[string]string{"fio": "Петров Иван Сергеевич"}},
	})
	if len(p.Documents) != 1 || p.Documents[0].Title != "Устав" || len(p.News) != 1 || len(p.Records) != 1 || p.Records[0].RecordType != "staff" {
		t.Errorf("page %+v", p)
	}
}
