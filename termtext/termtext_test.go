package termtext

import (
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"МБОУ СОШ № 7 «Радуга»", "МБОУ СОШ № 7 «Радуга»"},
		{"", ""},
		{"Школа\x1b[2J\x1b]0;pwned\x07", `Школа\x1b[2J\x1b]0;pwned\x07`},
		{"имя\x00NUL", `имя\x00NUL`},
		{"две\nстроки\tи\rвозврат", `две\nстроки\tи\rвозврат`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"\u202eвосстановлено", `\u202eвосстановлено`},
		{"cp1251 \xcf\xf0\xe8", `cp1251 \xcf\xf0\xe8`},
		{"del\x7f", `del\x7f`},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzLine: whatever goes in, nothing a terminal obeys comes out, and
// text without such characters comes out as it went in.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"Школа № 1", "\x1b[31m", "\u202e", "\xff\xfe", "a\u009bb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Line(%q) = %q is not UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("Line(%q) = %q keeps %U", s, out, r)
			}
		}
		if safe(s) && out != s {
			t.Fatalf("safe text changed: %q → %q", s, out)
		}
		if !safe(s) && out == s {
			t.Fatalf("unsafe text printed as it is: %q", s)
		}
	})
}
