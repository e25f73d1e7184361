package urlaudit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"perenos/sheet"
)

// Formats are the output formats of the audit.
var Formats = []string{"text", "csv", "xlsx", "json"}

// placementRU says a placement in Russian, for the spreadsheets.
func placementRU(p Placement) string {
	switch p {
	case Placed:
		return "перенесена"
	case ForReview:
		return "ждёт проверки"
	case Excluded:
		return "исключена"
	}
	return "нет в плане"
}

// whyRU says in Russian why a link's target is not on the new site.
func whyRU(w BrokenWhy) string {
	switch w {
	case NotCrawled:
		return "страница не обойдена"
	case Failed:
		return "страница недоступна на старом сайте"
	case WasExcl:
		return "страница исключена из переноса"
	case WaitReview:
		return "страница ждёт решения при проверке"
	}
	return "страницы нет в плане"
}

var columnsRU = []string{"Организация", "Адрес", "Вид", "Код ответа", "Тип содержимого", "Размер, байт", "Глубина", "Ссылок на адрес",
	"Перенаправлен на", "Заголовок", "Не загружен, потому что", "Ошибка", "В плане", "Разделы", "Причина исключения"}

func (r Row) cells() []sheet.Cell {
	return []sheet.Cell{sheet.Text(r.Org), sheet.Text(r.URL), sheet.Text(string(r.Kind)), sheet.Int(r.Status), sheet.Text(r.ContentType), sheet.Int(r.Size),
		sheet.Int(r.Depth), sheet.Int(r.Inlinks), sheet.Text(r.FinalURL), sheet.Text(r.Title), sheet.Text(r.Exclusion), sheet.Text(r.Error),
		sheet.Text(placementRU(r.Placement)), sheet.Text(strings.Join(r.Sections, ", ")), sheet.Text(r.Reason)}
}

// Write writes rows in format (one of Formats) to w.
func Write(w io.Writer, format string, rows []Row) error {
	switch format {
	case "json":
		if rows == nil {
			rows = []Row{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rows)
	case "csv":
		c := sheet.NewCSV(w, sheet.ExcelRU)
		c.Row(sheet.Texts(columnsRU...)...)
		for _, r := range rows {
			c.Row(r.cells()...)
		}
		return c.Close()
	case "xlsx":
		b := sheet.NewWorkbook()
		s := b.Sheet("Адреса")
		s.Widths(12, 60, 10, 8, 24, 12, 8, 8, 40, 40, 30, 30, 14, 30, 40)
		s.Header(columnsRU...)
		for _, r := range rows {
			s.Row(r.cells()...)
		}
		return b.Write(w)
	case "text":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ORG\tSTATUS\tKIND\tDEPTH\tINLINKS\tPLAN\tURL\tNOTE")
		for _, r := range rows {
			note := r.Exclusion
			switch {
			case r.Error != "":
				note = r.Error
			case r.FinalURL != "":
				note = "→ " + r.FinalURL
			case r.Placement == Placed:
				note = strings.Join(r.Sections, ", ")
			case r.Placement == Excluded && note == "":
				note = "excluded"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", r.Org, r.Status, r.Kind, r.Depth, r.Inlinks, r.Placement, r.URL, note)
		}
		return tw.Flush()
	}
	return fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// WriteBroken writes broken links in format.
func WriteBroken(w io.Writer, format string, bs []Broken) error {
	switch format {
	case "json":
		if bs == nil {
			bs = []Broken{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(bs)
	case "csv", "xlsx":
		head := []string{"Организация", "Страница", "Ссылка на", "Текст ссылки", "Почему не работает", "Подробности"}
		cells := func(b Broken) []sheet.Cell { return sheet.Texts(b.Org, b.From, b.To, b.Anchor, whyRU(b.Why), b.Detail) }
		if format == "csv" {
			c := sheet.NewCSV(w, sheet.ExcelRU)
			c.Row(sheet.Texts(head...)...)
			for _, b := range bs {
				c.Row(cells(b)...)
			}
			return c.Close()
		}
		wb := sheet.NewWorkbook()
		s := wb.Sheet("Битые ссылки")
		s.Widths(12, 60, 60, 40, 36, 40)
		s.Header(head...)
		for _, b := range bs {
			s.Row(cells(b)...)
		}
		return wb.Write(w)
	case "text":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ORG\tFROM\tTO\tWHY\tANCHOR")
		for _, b := range bs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Org, b.From, b.To, b.Why, b.Anchor)
		}
		return tw.Flush()
	}
	return fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}
