// Package termtext makes text from legacy sites and registries safe to
// print on a terminal: a name holding an escape sequence must not recolour
// the operator's screen, move the cursor, retitle the window or hide the
// rest of a line, and a newline inside a name must not forge a row of a
// table. It is a separate job from neutralising spreadsheet cells (package
// sheet): that one guards a file against the program that opens it, this
// one guards the operator's terminal, and their rules differ. It imports
// nothing of perenos.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s fit for one cell or line of terminal output: control
// characters (C0 including tab and newline, DEL, C1), the invisible
// characters that reorder or hide text (bidirectional overrides and
// isolates, line and paragraph separators) and bytes that are not UTF-8
// are shown as Go-style escapes (\n, \x1b, \u202e), so what was there
// stays visible without being obeyed.
func Line(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// safe reports whether s can be printed as it is.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			return false // a real U+FFFD is escaped too: harmless, and simpler
		}
	}
	return true
}

// unsafeRune reports the non-ASCII characters a terminal obeys or that
// rearrange what the reader sees.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls, among them CSI (U+009B)
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional embeddings, overrides, isolates and marks
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	}
	return false
}
