package records

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	for _, s := range []string{"Тел.: 8 (3952) 20-30-40, факс 20-30-41", "Адрес: 664000, г. Иркутск, ул. Ленина, 1", "Директор: Петров Иван Сергеевич", "e-mail: a@b.ru", "Режим работы: пн-пт 9.00-18.00",
		" ТЕЛЕФОН: ", "Часы  работы", "Е-mail:", "МЕСТОНАХОЖДЕНИЕ", "часы приёма", "Опубликовано вчера", "СЕГОДНЯ в школе"} {
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
		// the quick tests against what they stand for
		want := strings.Contains(s, "@") || digitCount(s) >= 5 || containsAny(s, "дрес", "ДРЕС", "абот", "АБОТ", "рием", "РИЕМ", "риём", "РИЁМ", "нахожд", "НАХОЖД")
		if got := mayHoldContact(s); got != want {
			t.Fatalf("mayHoldContact(%q) = %v, want %v", s, got, want)
		}
		if got, want := mayHoldRelative(s), containsAny(s, "чера", "егодня", "ЧЕРА", "ЕГОДНЯ"); got != want {
			t.Fatalf("mayHoldRelative(%q) = %v, want %v", s, got, want)
		}
		label := strings.Trim(fold(collapse(s)), " :")
		if got, want := isContactLabel(s), s != "" && len(s) <= 64 && slices.Contains(contactLabels, label); got != want {
			t.Fatalf("isContactLabel(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzCollapse checks collapse, which reads the bytes of spaces without
// decoding runes, of a string and of bytes, against its definition: the words of s between Unicode
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
		if got := collapseText([]byte(s)); got != want {
			t.Fatalf("collapseText of the bytes %q = %q, want %q", s, got, want)
		}
	})
}

// The phone patterns anchored at one place: a number starts there and
// no digit follows it.
var (
	rePhoneFullAt  = regexp.MustCompile(`^(` + phoneFull + `)(?:[^\d]|$)`)
	rePhoneLocalAt = regexp.MustCompile(`^(\d{1,3}-\d{2}-\d{2})(?:[^\d.\-/]|$)`)
)

// phonesAt is findPhones as its patterns define it, read place by place:
// a number starts after a character that is not a digit (for a local
// number, not a point, a slash or a dash either), and the next is looked
// for after its end.
func phonesAt(s string, labelled bool) []string {
	numbers := func(s string, re *regexp.Regexp, before string) []string {
		var out []string
		for p := 0; p < len(s); {
			r, size := utf8.DecodeLastRuneInString(s[:p])
			if p == 0 || !strings.ContainsRune(before, r) {
				if m := re.FindStringSubmatchIndex(s[p:]); m != nil {
					out = append(out, s[p:p+m[3]])
					p += m[3]
					continue
				}
			}
			_, size = utf8.DecodeRuneInString(s[p:])
			p += size
		}
		return out
	}
	if digitCount(s) < 5 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if n := NormalizePhone(p); len(n) >= 5 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	rest := s
	if digitCount(s) >= 8 {
		for _, p := range numbers(s, rePhoneFullAt, "0123456789") {
			add(p)
			rest = strings.Replace(rest, p, " ", 1)
		}
	}
	if strings.Contains(rest, "-") && (labelled || hasPhoneLabel(s)) {
		for _, p := range numbers(rest, rePhoneLocalAt, "0123456789.-/") {
			add(p)
		}
	}
	return out
}

// FuzzPhones checks findPhones, which runs its patterns only on the parts
// of a line a number can be, against phonesAt, which tries them at every
// place of the line; and the first number's place, which cutAt reads,
// against rePhoneFull on the whole line.
func FuzzPhones(f *testing.F) {
	for _, s := range []string{"Тел.: 8 (3952) 20-30-40, факс 20-30-41", "8-495-123-45-67,8-495-123-45-68", "тел. 2-30-40 2-30-41/2-30-42",
		"+7 (495) 561-44-20, факс +7 495 561 44 21", "18 (495) 123-45-67 8 (495) 123-45-67", "ш8\u2013800\u2014100 00 00", "\xe2\x808 (495) 123-45-67"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, labelled bool) {
		if got, want := findPhones(s, labelled), phonesAt(s, labelled); !slices.Equal(got, want) {
			t.Fatalf("findPhones(%q, %v) = %q, want %q", s, labelled, got, want)
		}
		first := rePhoneFull.FindStringSubmatchIndex(s)
		got := fullPhones(s)
		if (first == nil) != (len(got) == 0) || first != nil && !slices.Equal(first, got[0]) {
			t.Fatalf("fullPhones(%q) starts with %v, rePhoneFull finds %v", s, got, first)
		}
	})
}

// FuzzNames checks IsPersonName and nameShaped, which look at the letters
// and the words of a line before their patterns, against the patterns
// alone.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"Иванова Мария Петровна", "Салтыков-Щедрин Михаил Евграфович", "Иванов И.И.", "И. И. Иванов", "Мамедов Руслан Эльдар оглы",
		"Мария Петровна Иванова-Петрова", "Новиков Сергей Давидовыч", "Главный врач", "ул. Ленина Дом Культуры", " Ёлкин\u00a0Ёж Ёжевич ", "Иванов\tИ. И", "Иванов Иван Иваныч"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		if n := strings.Trim(collapse(s), " ,.;:–—-"); len(s) <= 400 && strings.Count(n, " ") >= 1 && strings.Count(n, " ") <= 3 {
			want = reNameFull.MatchString(n) || reNameGivenFirst.MatchString(n) || reNameInitials.MatchString(n+".") || reNameInitials.MatchString(n)
		}
		if got := IsPersonName(s); got != want {
			t.Fatalf("IsPersonName(%q) = %v, the patterns say %v", s, got, want)
		}
		want = false
		if n := strings.Trim(collapse(s), " ,.;:–—-"); len(s) <= 200 && hasCapitalCyrillic(s) && strings.Count(n, " ") == 2 {
			want = len(n) < 200 && reNameShape.MatchString(n)
		}
		if got := nameShaped(s); got != want {
			t.Fatalf("nameShaped(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}

// FuzzRelativeWord checks the scan for «вчера», «сегодня», «позавчера»
// against the pattern it replaced.
func FuzzRelativeWord(f *testing.F) {
	re := regexp.MustCompile(`(?i)(?:^|[^\pL])(позавчера|вчера|сегодня)(?:[^\pL]|$)`)
	for _, s := range []string{"вчера", "Опубликовано: ВЧЕРА, 12:00", "позавчера и сегодня", "навчера вчерашний Сегодня!", "\u1c80чера", "сегоᲁня", "ПозаВчера1", "вчерa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, ok := relativeWord(s)
		m := re.FindStringSubmatchIndex(s)
		if ok != (m != nil) || ok && (start != m[2] || end != m[3]) {
			t.Fatalf("relativeWord(%q) = %d %d %v, the pattern finds %v", s, start, end, ok, m)
		}
	})
}

// FuzzFold checks fold, which passes over lower-case text without a copy
// and lowers А-Я by their bytes, against its definition rune by rune.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "абв", "АБВ ЁЖ Я ё е Hello", "«Ёлка» – ель", "Ǆ İ ΣΑ", "\xff\xfe", "я\xd0", "\xd0\x81", "ё"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []byte
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			l := unicode.ToLower(r)
			if l == 'ё' {
				l = 'е'
			}
			switch {
			case r == utf8.RuneError && size <= 1:
				want = append(want, s[i])
			case utf8.RuneLen(l) != size:
				want = append(want, s[i:i+size]...)
			default:
				want = utf8.AppendRune(want, l)
			}
			i += size
		}
		if got := fold(s); got != string(want) {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzDocumentTitle checks the quick tests before the title patterns
// against the patterns themselves.
func FuzzDocumentTitle(f *testing.F) {
	for _, s := range []string{"Скачать: Положение о приёме", "Положение (pdf, 120 кб)", "Устав [PDF] 2,5 Мб", "Приказ № 5 — ОТКРЫТЬ ФАЙЛ", "Ссылка", "поᲃмотреть", "ᲃкачать устав", "Просмотр документа"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := dropGenericEdge(s), reGenericEdge.ReplaceAllString(s, ""); got != want {
			t.Fatalf("dropGenericEdge(%q) = %q, the pattern leaves %q", s, got, want)
		}
		if got, want := dropFileNotes(s), reSize.ReplaceAllString(reFileInfo.ReplaceAllString(s, " "), " "); got != want {
			t.Fatalf("dropFileNotes(%q) = %q, the patterns leave %q", s, got, want)
		}
	})
}
