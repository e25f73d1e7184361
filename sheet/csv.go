package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
)

// CSVOptions say how a CSV is laid out.
type CSVOptions struct {
	// Comma separates the fields (default ',').
	Comma rune
	// BOM starts the file with a UTF-8 byte-order mark, by which Excel
	// knows the file is UTF-8.
	BOM bool
}

// ExcelRU is the layout Excel in a Russian locale opens with a double
// click: semicolons, and a BOM.
var ExcelRU = CSVOptions{Comma: ';', BOM: true}

// CSV writes rows of cells as CSV, every text cell neutralised.
type CSV struct {
	w   *csv.Writer
	out io.Writer
	bom bool
	err error
}

// NewCSV starts a CSV on w.
func NewCSV(w io.Writer, opt CSVOptions) *CSV {
	cw := csv.NewWriter(w)
	if opt.Comma != 0 {
		cw.Comma = opt.Comma
	}
	return &CSV{w: cw, out: w, bom: opt.BOM}
}

// Row writes one row. The first error sticks: later rows are not written
// and Close returns it.
func (c *CSV) Row(cells ...Cell) error {
	if c.err != nil {
		return c.err
	}
	if c.bom {
		c.bom = false
		if _, err := io.WriteString(c.out, "\uFEFF"); err != nil {
			c.err = fmt.Errorf("csv: %w", err)
			return c.err
		}
	}
	rec := make([]string, len(cells))
	for i, cell := range cells {
		rec[i] = cell.csvText()
	}
	if err := c.w.Write(rec); err != nil {
		c.err = fmt.Errorf("csv: %w", err)
	}
	return c.err
}

// Close writes what is buffered and returns the first error.
func (c *CSV) Close() error {
	if c.err == nil && c.bom {
		// an empty table still says it is UTF-8
		c.bom = false
		if _, err := io.WriteString(c.out, "\uFEFF"); err != nil {
			c.err = fmt.Errorf("csv: %w", err)
		}
	}
	c.w.Flush()
	if c.err == nil {
		if err := c.w.Error(); err != nil {
			c.err = fmt.Errorf("csv: %w", err)
		}
	}
	return c.err
}
