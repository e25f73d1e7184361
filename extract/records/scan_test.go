package records

import (
	"strings"
	"testing"
	"unicode"
)

// The scanners that replaced regular expressions for speed must read the
// same forms the patterns did.
func TestDateScanners(t *testing.T) {
	for _, c := range []struct {
		in, crawl, want string
	}{
		{"1.12.03.2023", "", "2003-12-01"}, // the day is the run of digits before the first point
		{"№ 12.03.20234", "", ""},          // a five-digit year is not one
		{"12/03/2023", "", "2023-03-12"},
		{"выпуск 2023-3-12", "", ""},
		{"2023-03-12", "", "2023-03-12"},
		{"12024-03-12", "", ""},
		{"ш12 марта 2023", "", ""}, // glued to a letter
		{"12 марта2023", "", ""},   // a word glued to digits
		{"5 МАЯ 2021", "", "2021-05-05"},
		{"1 сентябрьский день", "2024-03-15", ""}, // a longer word is not a month
		{"12\u00a0марта 2023", "", ""},            // a no-break space is not \s, as before
		{"до 31 дек. 2021 года", "", "2021-12-31"},
	} {
		got, _, _, ok := FindDate(c.in, c.crawl)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("FindDate(%q) = %q %v, want %q", c.in, got, ok, c.want)
		}
	}
}

func TestCollapse(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a b", "a b"},
		{"  a \t\n b  ", "a b"},
		{"a\u00a0\u00a0b", "a b"},
		{"a  b", "a b"},
		{"Иван\u2003Иванов ", "Иван Иванов"},
		{"а\xd0\u00a0б", "а\xd0 б"}, // a lead byte without its continuation is not a letter
		{"Ёж\xd1", "Ёж\xd1"},
	} {
		if got := collapse(c.in); got != c.want {
			t.Errorf("collapse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMayNameFile(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"/docs/ustav.PDF", true},
		{"download.php?id=5", true},
		{"/Download/5", true},
		{"/get.php?f=a.docx", true},
		{"/sveden/common.html", false},
		{"/news/?page=2", false},
		{"/files.v2/", false},
		{"#top", false},
	} {
		if got := mayNameFile(c.in); got != c.want {
			t.Errorf("mayNameFile(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"АБВ ЁЖ Я ё е Hello", "абв еж я е е hello"},
		{"ПРЕПОДАВАТЕЛИ Школы", "преподаватели школы"},
		{"Ǆ İ ΣΑ", "ǆ İ σα"}, // İ lowers to two bytes more: kept, so the length holds
		{"\xff\xfe", "\xff\xfe"},
		{"\xd0Ж", "\xd0ж"}, // a lead byte without its continuation is kept, and the letter after it lowered
	} {
		if got := fold(c.in); got != c.want || len(got) != len(c.in) {
			t.Errorf("fold(%q) = %q, want %q (same length)", c.in, got, c.want)
		}
	}
}

// labelAt reads only the first bytes of a line: a label counts when it
// starts before byte 25, and only its first place counts.
func TestLabelAtWindow(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  int
		want bool
	}{
		{"адрес: ул. Мира, 1", len("адрес"), true},
		{strings.Repeat("x", 24) + "адрес:", 24 + len("адрес"), true},
		{strings.Repeat("x", 25) + "адрес:", 0, false},
		{strings.Repeat("x", 30) + "адрес: адрес:", 0, false}, // the first place is too far
		{"наш почтовый адрес:", len("наш почтовый адрес"), true},
		{"адре", 0, false},
	} {
		end, ok := labelAt(c.in, addressLabels)
		if end != c.end || ok != c.want {
			t.Errorf("labelAt(%q) = %d %v, want %d %v", c.in, end, ok, c.end, c.want)
		}
	}
}

func TestIsLetter(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if isLetter(r) != unicode.IsLetter(r) {
			t.Fatalf("isLetter(%U) = %v", r, isLetter(r))
		}
	}
}
