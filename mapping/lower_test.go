package mapping

import (
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// splitWordsByLibrary is what splitWords does, written with the standard
// library's functions one after another: the reference it must agree with.
func splitWordsByLibrary(s string) []string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

var lowerCases = []string{
	"",
	"уже строчные слова",
	"Сведения об Образовательной ОРГАНИЗАЦИИ",
	"ЁЛКА ёлка Ёжик",
	"Ѐ Ё Ђ Џ ѐ џ Ѡ ѡ Ґ ґ Ӂ",
	"MIXED latin И кириллица 2024-09-01",
	"İstanbul ǅ ß ΣΊΣΥΦΟΣ Ⅻ",
	"bad \xff\xfe bytes \xd0 cut",
	"tabs\tand\nnew lines\u00a0nbsp\u2009thin",
	"№ 5, «Учебный план», т.д. — и пр.",
	"١٢٣ арабские цифры ²³ ½",
}

func TestLowerTextIsStringsToLower(t *testing.T) {
	for _, s := range lowerCases {
		if got, want := lowerText(s), strings.ToLower(s); got != want {
			t.Errorf("lowerText(%q) = %q, strings.ToLower gives %q", s, got, want)
		}
	}
}

func TestSplitWordsAsTheLibraryWould(t *testing.T) {
	for _, s := range lowerCases {
		if got, want := splitWords(s), splitWordsByLibrary(s); !slices.Equal(got, want) {
			t.Errorf("splitWords(%q) = %q, the library's functions give %q", s, got, want)
		}
	}
}

func FuzzLowerAndSplit(f *testing.F) {
	for _, s := range lowerCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lowerText(s), strings.ToLower(s); got != want {
			t.Fatalf("lowerText(%q) = %q, strings.ToLower gives %q", s, got, want)
		}
		if got, want := splitWords(s), splitWordsByLibrary(s); !slices.Equal(got, want) {
			t.Fatalf("splitWords(%q) = %q, the library's functions give %q", s, got, want)
		}
	})
}

func BenchmarkSplitWords(b *testing.B) {
	text := strings.Repeat("Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 6» города Тутаева. Ёлки, LATIN words 2024. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		splitWords(text)
	}
}

func BenchmarkSplitWordsByLibrary(b *testing.B) {
	text := strings.Repeat("Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 6» города Тутаева. Ёлки, LATIN words 2024. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		splitWordsByLibrary(text)
	}
}

// normHash must fingerprint the text norm writes, by the FNV-1a hash.
func checkNormHash(t *testing.T, s string) {
	t.Helper()
	n := norm(s)
	h := fnv.New64a()
	h.Write([]byte(n))
	got, size := normHash(s)
	if got != h.Sum64() || size != utf8.RuneCountInString(n) {
		t.Fatalf("normHash(%q) = %x, %d; FNV-1a of norm's %q is %x, %d runes", s, got, size, n, h.Sum64(), utf8.RuneCountInString(n))
	}
}

func TestNormHashIsTheHashOfNorm(t *testing.T) {
	for _, s := range lowerCases {
		checkNormHash(t, s)
	}
}

func FuzzNormHash(f *testing.F) {
	for _, s := range lowerCases {
		f.Add(s)
	}
	f.Fuzz(checkNormHash)
}
