// Package sheet writes tables for spreadsheets, as CSV and as XLSX, with
// text from legacy sites and registries made safe: a cell a spreadsheet
// would run as a formula (a name starting with = + - @, a tab or a
// carriage return) is neutralised, numbers are stored as numbers and
// dates as dates, and an XLSX table gets a frozen header, a filter and
// column widths. Every CSV and XLSX perenos writes goes through it, so the
// rule lives in one place. It imports nothing of perenos.
package sheet

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what a cell holds.
type Kind uint8

// The kinds of cells.
const (
	KindBlank    Kind = iota
	KindText          // text, never a formula
	KindInt           // a whole number, stored as a number
	KindDate          // a day, stored as a date
	KindDateTime      // a moment, stored as a date and time on its location's clock
)

// Cell is one value of a row, with its kind and an optional style.
type Cell struct {
	kind  Kind
	text  string
	n     int64
	t     time.Time
	style Style
}

// Style is how an XLSX cell looks; CSV ignores it. The zero Style is plain.
type Style struct {
	Bold bool
	Size float64 // font size in points; 0 is the default
	Fill string  // background colour as RRGGBB; "" is none
	Wrap bool    // wrap long text within the cell
}

// Text is a text cell. Text that looks like a formula stays text.
func Text(s string) Cell { return Cell{kind: KindText, text: s} }

// Texts makes a text cell of each string.
func Texts(ss ...string) []Cell {
	out := make([]Cell, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

// Int is a number cell.
func Int[T ~int | ~int64 | ~int32 | ~uint32](n T) Cell { return Cell{kind: KindInt, n: int64(n)} }

// Date is a day cell; the zero time is a blank cell.
func Date(t time.Time) Cell {
	if t.IsZero() {
		return Blank()
	}
	return Cell{kind: KindDate, t: t}
}

// Day is a day cell from a YYYY-MM-DD string; anything else is text, and
// "" is blank.
func Day(s string) Cell {
	if s == "" {
		return Blank()
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Text(s)
	}
	return Date(t)
}

// DateTime is a date-and-time cell on t's own clock; the zero time is blank.
func DateTime(t time.Time) Cell {
	if t.IsZero() {
		return Blank()
	}
	return Cell{kind: KindDateTime, t: t}
}

// Blank is an empty cell.
func Blank() Cell { return Cell{} }

// With returns the cell with style s.
func (c Cell) With(s Style) Cell { c.style = s; return c }

// Kind is what the cell holds.
func (c Cell) Kind() Kind { return c.kind }

// csvText is the cell as a CSV field: numbers in digits, days as
// YYYY-MM-DD, moments as RFC 3339, text cleaned and neutralised.
func (c Cell) csvText() string {
	switch c.kind {
	case KindText:
		return Neutralise(clean(c.text))
	case KindInt:
		return strconv.FormatInt(c.n, 10)
	case KindDate:
		return c.t.Format("2006-01-02")
	case KindDateTime:
		return c.t.Format(time.RFC3339)
	}
	return ""
}

// width is how many characters the cell shows, for column widths.
func (c Cell) width() int {
	switch c.kind {
	case KindText:
		w := 0
		for _, line := range strings.Split(c.text, "\n") {
			w = max(w, utf8.RuneCountInString(line))
		}
		return w
	case KindInt:
		return len(strconv.FormatInt(c.n, 10))
	case KindDate:
		return 10
	case KindDateTime:
		return 16
	}
	return 0
}

// LooksLikeFormula reports whether a spreadsheet would take s for a
// formula or a command when the file is opened or the cell edited: s
// starts, after any spaces, with = + - @ (or their full-width forms), or
// with a tab or a carriage return (OWASP, «CSV Injection»).
func LooksLikeFormula(s string) bool {
	s = strings.TrimLeft(s, " ")
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// Neutralise returns s as a CSV field must carry it: with an apostrophe
// in front when a spreadsheet would take it for a formula, so that it
// shows as the text it is. Anything else is returned as it is.
func Neutralise(s string) string {
	if LooksLikeFormula(s) {
		return "'" + s
	}
	return s
}

// clean replaces what no spreadsheet may hold, invalid UTF-8 and control
// characters other than tab, newline and carriage return (XML 1.0 cannot
// carry them), with U+FFFD.
func clean(s string) string {
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if b := s[i]; b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f {
			ok = false
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
