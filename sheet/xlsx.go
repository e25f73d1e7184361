package sheet

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxCellChars is the most characters an Excel cell holds.
const maxCellChars = 32767

// Workbook is an XLSX workbook being written, sheet by sheet.
type Workbook struct {
	f      *excelize.File
	sheets []*Sheet
	styles map[styleKey]int
	err    error
}

// Sheet is one sheet of a workbook; rows are written top down.
type Sheet struct {
	b      *Workbook
	name   string
	row    int         // the last row written
	header int         // the table's header row, 0 if none
	cols   int         // the widest row from the header down
	widths []float64   // explicit column widths; 0 means computed
	shown  map[int]int // per column, the widest cell from the header down
}

// styleKey is a Style with what the cell's kind adds to it.
type styleKey struct {
	Style
	numFmt string
	quote  bool
}

// NewWorkbook starts an empty workbook.
func NewWorkbook() *Workbook {
	return &Workbook{f: excelize.NewFile(), styles: map[styleKey]int{}}
}

// Sheet adds a sheet named name (cut to Excel's 31 characters, with the
// characters Excel forbids in names replaced).
func (b *Workbook) Sheet(name string) *Sheet {
	name = sheetName(name)
	s := &Sheet{b: b, name: name, shown: map[int]int{}}
	if b.err == nil {
		if len(b.sheets) == 0 {
			b.fail(b.f.SetSheetName("Sheet1", name))
		} else if _, err := b.f.NewSheet(name); err != nil {
			b.fail(err)
		}
	}
	b.sheets = append(b.sheets, s)
	return s
}

func (b *Workbook) fail(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// Row writes the next row.
func (s *Sheet) Row(cells ...Cell) {
	s.row++
	b := s.b
	for i, c := range cells {
		if b.err != nil {
			return
		}
		ref, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			b.fail(err)
			return
		}
		key := styleKey{Style: c.style}
		switch c.kind {
		case KindText:
			text := clip(clean(c.text))
			b.fail(b.f.SetCellStr(s.name, ref, text))
			// A string cell is never run as a formula; the quote prefix
			// keeps it text when someone edits it (as Excel does for a
			// cell typed with a leading apostrophe).
			key.quote = LooksLikeFormula(text)
		case KindInt:
			b.fail(b.f.SetCellInt(s.name, ref, c.n))
		case KindDate:
			b.fail(b.f.SetCellValue(s.name, ref, wall(c.t, true)))
			key.numFmt = "dd.mm.yyyy"
		case KindDateTime:
			b.fail(b.f.SetCellValue(s.name, ref, wall(c.t, false)))
			key.numFmt = "dd.mm.yyyy hh:mm"
		}
		if key != (styleKey{}) {
			b.fail(b.f.SetCellStyle(s.name, ref, ref, b.style(key)))
		}
		s.shown[i] = max(s.shown[i], c.width())
	}
	if s.header > 0 {
		s.cols = max(s.cols, len(cells))
	}
}

// Skip leaves the next row empty.
func (s *Sheet) Skip() { s.row++ }

// Header writes the table's header row: bold on a grey fill, wrapped,
// frozen above the rows that follow, with a filter over the table.
func (s *Sheet) Header(titles ...string) {
	if s.header > 0 {
		s.b.fail(fmt.Errorf("sheet %s: a second table header (row %d); one table per sheet", s.name, s.row+1))
		return
	}
	s.shown = map[int]int{} // titles above the table do not set its widths
	cells := make([]Cell, len(titles))
	for i, t := range titles {
		cells[i] = Text(t).With(Style{Bold: true, Fill: "ECEFF3", Wrap: true})
	}
	s.header = s.row + 1
	s.Row(cells...)
	for i, t := range titles {
		// a header wraps: its longest word counts, not its whole length
		w := 0
		for _, word := range strings.Fields(t) {
			w = max(w, utf8.RuneCountInString(word))
		}
		s.shown[i] = w
	}
}

// Widths sets the widths of the first columns, in characters; a 0 keeps
// the computed width (from the widest cell, between 6 and 60).
func (s *Sheet) Widths(ws ...float64) { s.widths = ws }

// Write finishes the workbook (filters, frozen headers, widths) and
// writes it to w.
func (b *Workbook) Write(w io.Writer) error {
	defer b.f.Close()
	for _, s := range b.sheets {
		s.finish()
	}
	if b.err != nil {
		return fmt.Errorf("workbook: %w", b.err)
	}
	b.f.SetActiveSheet(0)
	if _, err := b.f.WriteTo(w); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	return nil
}

func (s *Sheet) finish() {
	b := s.b
	ncols := max(s.cols, len(s.widths), len(s.shown))
	for i := 0; i < ncols && b.err == nil; i++ {
		w := 0.0
		if i < len(s.widths) {
			w = s.widths[i]
		}
		if w == 0 {
			w = float64(min(max(s.shown[i]+2, 6), 60))
		}
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			b.fail(err)
			return
		}
		b.fail(b.f.SetColWidth(s.name, col, col, w))
	}
	if s.header == 0 || b.err != nil {
		return
	}
	top, _ := excelize.CoordinatesToCellName(1, s.header+1)
	b.fail(b.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: s.header, TopLeftCell: top, ActivePane: "bottomLeft"}))
	first, _ := excelize.CoordinatesToCellName(1, s.header)
	last, _ := excelize.CoordinatesToCellName(max(s.cols, 1), max(s.row, s.header))
	b.fail(b.f.AutoFilter(s.name, first+":"+last, nil))
}

// style returns the workbook's style ID for key, made on first use.
func (b *Workbook) style(key styleKey) int {
	if id, ok := b.styles[key]; ok {
		return id
	}
	st := &excelize.Style{}
	if key.Bold || key.Size != 0 {
		st.Font = &excelize.Font{Bold: key.Bold, Size: key.Size}
	}
	if key.Fill != "" {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{key.Fill}}
	}
	if key.Wrap {
		st.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
	}
	if key.numFmt != "" {
		f := key.numFmt
		st.CustomNumFmt = &f
	}
	id, err := b.f.NewStyle(st)
	if err != nil {
		b.fail(err)
		return 0
	}
	if key.quote {
		id = b.quoted(id)
	}
	b.styles[key] = id
	return id
}

// quoted adds a copy of cell format id with Excel's quote prefix set:
// what Excel itself stores for a cell typed with a leading apostrophe. The
// value shows without the apostrophe and stays text when edited. excelize
// has no option for it, so the copy goes into its style sheet directly.
func (b *Workbook) quoted(id int) int {
	ss := b.f.Styles
	if ss == nil || ss.CellXfs == nil || id < 0 || id >= len(ss.CellXfs.Xf) {
		b.fail(errors.New("no cell format to copy for the quote prefix"))
		return id
	}
	xf := ss.CellXfs.Xf[id]
	yes := true
	xf.QuotePrefix = &yes
	ss.CellXfs.Xf = append(ss.CellXfs.Xf, xf)
	ss.CellXfs.Count = len(ss.CellXfs.Xf)
	return len(ss.CellXfs.Xf) - 1
}

// wall is t's clock reading as a time in UTC, which excelize stores as the
// date (and time) shown; a day drops the time.
func wall(t time.Time, day bool) time.Time {
	if day {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// clip cuts text to what a cell holds, marking the cut.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxCellChars {
		return s
	}
	r := []rune(s)
	return string(r[:maxCellChars-1]) + "…"
}

// sheetName makes name valid as an Excel sheet name.
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			return '_'
		}
		if r < 0x20 {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		name = "Лист"
	}
	return name
}
