package registry

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"perenos/ziplimit"
)

// Limits on the workbook before excelize opens it. excelize unpacks every
// part into memory (large sheets into temporary files) and decodes its XML
// keeping a stack of open elements, so both the sizes and the nesting are
// checked first. A region's registry is about 100 KB unpacked.
var xlsxLimits = ziplimit.Limits{MaxEntries: 1000, MaxEntry: 64 << 20, MaxTotal: 128 << 20, MaxRatio: 100}

const (
	// maxXMLDepth is the deepest nesting of elements a workbook part may
	// have; Excel writes less than ten.
	maxXMLDepth = 64
	// maxCells is how many cells the rows of the first sheet may hold
	// together, counted as excelize returns them: up to the last cell of
	// each row, so a row with one cell in column XFD counts 16,384.
	maxCells = 5_000_000
)

// ErrWorkbookLimit says a workbook was refused before it was unpacked:
// it would unpack beyond the limits, or nests too deep.
var ErrWorkbookLimit = errors.New("workbook refused before unpacking")

// ReadXLSX reads a registry saved as an Excel workbook: the first sheet,
// whose first non-empty row is the header naming the same columns as the
// CSV registry. Bad rows are reported with their row numbers as Excel
// shows them; the good rows import. Cells are read as stored, not as
// displayed, so an ИНН kept as a number is not turned into 3,80E+09.
//
// The file is checked before excelize opens it (its size, what it unpacks
// to, how much its parts grow and nest), and its rows are read one at a
// time, within limits on rows and cells, so a small hostile file cannot
// take the machine's memory.
func ReadXLSX(name string, r io.Reader) (res *Result, err error) {
	defer func() {
		// excelize is a large parser of hostile input: a panic in it is
		// this file's error, not the end of the command
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%s is not a readable .xlsx workbook: the reader failed: %v", name, p)
		}
	}()
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MB; a registry is far smaller: is it the right file?", name, maxFileBytes>>20)
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return nil, fmt.Errorf("%s is an old Excel 97-2003 workbook (.xls): save it as «Книга Excel (.xlsx)» or as «CSV UTF-8» and import again", name)
	}
	if err := checkWorkbook(data); err != nil {
		if errors.Is(err, ziplimit.ErrNotZip) {
			return nil, fmt.Errorf("%s is not a readable .xlsx workbook: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w: %w; save it again from Excel, or as CSV, and import again", name, ErrWorkbookLimit, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: xlsxLimits.MaxTotal, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable .xlsx workbook: %w", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%s: the workbook has no sheets", name)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheets[0], err)
	}
	defer rows.Close()
	var header []string
	var body [][]string
	var lines []int
	row, cells := 0, 0
	for rows.Next() {
		row++ // Next stops at every row, empty ones too: row is Excel's number
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%s: sheet %q, row %d: %w", name, sheets[0], row, err)
		}
		if cells += len(cols); cells > maxCells {
			return nil, fmt.Errorf("%s: sheet %q holds more than %d cells by row %d, which reaches column %s: delete the columns right of the table and the rows below it, or save the sheet as CSV, and import again",
				name, sheets[0], maxCells, row, columnLetter(len(cols)-1))
		}
		if allEmpty(cols) {
			continue
		}
		if header == nil {
			header = slices.Clone(trimEmpty(cols))
			if len(header) > maxColumns {
				return nil, fmt.Errorf("%s: the header (row %d) has %d columns, more than the %d a registry may have", name, row, len(header), maxColumns)
			}
			continue
		}
		if len(body) == maxRows {
			return nil, fmt.Errorf("%s has more than %d organisations; split it into several files", name, maxRows)
		}
		// keep the cells under the header only: a stray cell far to the
		// right must not keep its row's whole width in memory
		body = append(body, slices.Clone(cols[:min(len(cols), len(header))]))
		lines = append(lines, row)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheets[0], err)
	}
	if header == nil {
		return nil, fmt.Errorf("%s: the first sheet %q is empty; the registry needs a header row", name, sheets[0])
	}
	return FromRows(name, header, body, lines)
}

// checkWorkbook checks a workbook's archive against xlsxLimits and the
// nesting of its XML parts against maxXMLDepth.
func checkWorkbook(data []byte) error {
	zr, err := ziplimit.Open(data, xlsxLimits)
	if err != nil {
		return err
	}
	if err := ziplimit.Check(zr, xlsxLimits); err != nil {
		return err
	}
	for _, zf := range zr.File {
		n := strings.ToLower(zf.Name)
		if strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".rels") {
			if err := checkDepth(zf); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDepth reads one XML part as a stream of raw tokens, which keeps no
// stack, and refuses it when its elements nest deeper than maxXMLDepth.
// A part that is not well-formed is left for excelize to report.
func checkDepth(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	dec.Strict = false
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth {
				return fmt.Errorf("%s nests elements more than %d deep", zf.Name, maxXMLDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// trimEmpty drops the empty cells at the end of a row.
func trimEmpty(row []string) []string {
	n := len(row)
	for n > 0 && strings.TrimSpace(row[n-1]) == "" {
		n--
	}
	return row[:n]
}
