package registry

import (
	"bytes"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads a registry saved as an Excel workbook: the first sheet,
// whose first non-empty row is the header naming the same columns as the
// CSV registry. Bad rows are reported with their row numbers as Excel
// shows them; the good rows import. Cells are read as stored, not as
// displayed, so an ИНН kept as a number is not turned into 3,80E+09.
func ReadXLSX(name string, r io.Reader) (*Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return nil, fmt.Errorf("%s is an old Excel 97-2003 workbook (.xls): save it as «Книга Excel (.xlsx)» or as «CSV UTF-8» and import again", name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable .xlsx workbook: %w", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%s: the workbook has no sheets", name)
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheets[0], err)
	}
	head := -1
	for i, row := range rows {
		if !allEmpty(row) {
			head = i
			break
		}
	}
	if head < 0 {
		return nil, fmt.Errorf("%s: the first sheet %q is empty; the registry needs a header row", name, sheets[0])
	}
	var body [][]string
	var lines []int
	for i := head + 1; i < len(rows); i++ {
		body = append(body, rows[i])
		lines = append(lines, i+1) // GetRows keeps empty rows, so index i is Excel row i+1
	}
	return FromRows(name, rows[head], body, lines)
}
