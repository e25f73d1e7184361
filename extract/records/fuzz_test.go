package records

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzExtract feeds arbitrary markup to every record finder: no panic, and
// every record has a kind, a source and a method.
func FuzzExtract(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/gold/records/*.html")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && utf8.Valid(b) {
			f.Add(string(b), "2024-03-15")
		}
	}
	f.Add(`<tr itemprop="uchredLaw"><td itemprop="nameUchred">x</td></tr><a itemprop=addRef href=//x>y</a>`, "")
	f.Add(`<table itemprop=teachingStaff><tr><td itemprop=fio>Иванов Иван Иванович</td></tr><tr><td itemprop=fio>Петров Пётр Петрович</td></tr></table>`, "2024-01-01")
	f.Add(`<p>Адрес: 101000, г. Москва, ул. Ленина, д. 1</p><p>Тел.: 8 (495) 123-45-67</p><p>Режим работы:</p><p>пн–пт 9:00–18:00</p>`, "x")
	f.Fuzz(func(t *testing.T, page, crawl string) {
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			return // the parser refuses it: nothing for records to do
		}
		for _, r := range Extract("https://site.example/a/b.html", doc, Options{CrawlDate: crawl}) {
			if r.Type == "" || r.Source == "" || r.Method == "" || r.Fields == nil {
				t.Fatalf("incomplete record %+v", r)
			}
		}
	})
}

// FuzzFindDate: no panic, offsets inside the text, and a well-formed date.
func FuzzFindDate(f *testing.F) {
	for _, s := range []string{"12 марта 2023 г.", "12.03.23", "вчера", "2023-02-29", "31 дек.", "5 мая", "1.1.1"} {
		f.Add(s, "2024-03-15")
	}
	f.Fuzz(func(t *testing.T, s, crawl string) {
		d, start, end, ok := FindDate(s, crawl)
		if !ok {
			return
		}
		if start < 0 || end > len(s) || start > end || len(d) != 10 || d[4] != '-' || d[7] != '-' {
			t.Fatalf("FindDate(%q) = %q [%d:%d]", s, d, start, end)
		}
		ParseDate(s, crawl)
	})
}

// FuzzContactLine exercises the line parsers used for contacts and cards.
func FuzzContactLine(f *testing.F) {
	for _, s := range []string{"Тел.: 8 (3952) 20-30-40, факс 20-30-41", "Адрес: 664000, г. Иркутск, ул. Ленина, 1", "Директор: Петров Иван Сергеевич", "e-mail: a@b.ru", "Режим работы: пн-пт 9.00-18.00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range findPhones(s, true) {
			if p == "" {
				t.Fatalf("empty phone from %q", s)
			}
		}
		lineFacts(s, 0)
		nameAndPost(s)
		splitLabel(s)
		DocumentKind(s)
		cleanTitle(s)
		if len(fold(s)) != len(s) {
			t.Fatalf("fold changed the length of %q", s)
		}
	})
}

// FuzzCollapse checks collapse, which reads Cyrillic letters without
// decoding them, against its definition: the words of s between Unicode
// spaces, joined by one space; bytes that are not UTF-8 are kept.
func FuzzCollapse(f *testing.F) {
	for _, s := range []string{"", " Иван \u00a0Иванов ", "а\xd0\u00a0б", "\xd1", "\xd0\xd0\x80 ", "x\u2003\u3000y", "Ёлка\tёж\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
		if got := collapse(s); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", s, got, want)
		}
	})
}

