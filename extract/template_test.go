package extract

import (
	"fmt"
	"strings"
	"testing"
)

// legacyPage is one page of a table-layout site: a left menu, a calendar in
// the right column, and the page's own content in the middle.
func legacyPage(title, content string) string {
	var cal strings.Builder
	for d := 1; d <= 30; d++ {
		fmt.Fprintf(&cal, "<td>%d</td>", d)
		if d%7 == 0 {
			cal.WriteString("</tr><tr>")
		}
	}
	return `<html><head><title>` + title + `</title></head><body><table><tr>
<td><ul><li><a href="/sveden/common.html">Основные сведения</a></li><li><a href="/sveden/struct.html">Структура</a></li>
<li><a href="/sveden/vacant.html">Вакантные места</a></li><li><a href="/news/">Новости</a></li></ul></td>
<td><h1>` + title + `</h1>` + content + `</td>
<td><table class="cal"><tr>` + cal.String() + `</tr></table><p>Версия для слабовидящих</p></td>
</tr></table><p>© МБОУ СОШ № 7, 2005–2023</p></body></html>`
}

func TestTemplateKeepsContentThatLooksLikeTemplate(t *testing.T) {
	pages := map[string]string{
		"/a.html": legacyPage("История", "<p>Школа открыта в 1961 году.</p>"),
		"/b.html": legacyPage("Контакты", "<p>Ангарск, 7-й микрорайон, дом 14.</p>"),
		"/c.html": legacyPage("Питание", "<p>Горячее питание для 1–4 классов.</p>"),
		"/sveden/vacant.html": legacyPage("Вакантные места", `<table><tr><th>Класс</th><th>Мест</th></tr>
<tr><td>1</td><td>4</td></tr><tr><td>5</td><td>7</td></tr><tr><td>9</td><td>11</td></tr></table>`),
		"/sveden/index.html": legacyPage("Сведения", `<ul><li><a href="/sveden/common.html">Основные сведения</a></li>
<li><a href="/sveden/struct.html">Структура</a></li><li><a href="/sveden/vacant.html">Вакантные места</a></li></ul>`),
	}
	tmpl := NewTemplate()
	for _, src := range pages {
		doc, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Learn(doc)
	}
	extract := func(path string) *Document {
		doc, _ := Parse(pages[path])
		d, err := Extract("http://sch7.example"+path, doc, Options{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	vac := extract("/sveden/vacant.html")
	for _, row := range []string{"| 1 | 4 |", "| 5 | 7 |", "| 9 | 11 |"} {
		if !strings.Contains(vac.Markdown, row) {
			t.Errorf("vacancy row %q lost (cells equal to calendar days):\n%s", row, vac.Markdown)
		}
	}
	for _, gone := range []string{"| 15 |", "Версия для слабовидящих", "2005–2023", "Новости"} {
		if strings.Contains(vac.Markdown, gone) {
			t.Errorf("template text %q kept:\n%s", gone, vac.Markdown)
		}
	}
	idx := extract("/sveden/index.html")
	for _, link := range []string{"Основные сведения", "Структура", "Вакантные места"} {
		if !strings.Contains(idx.Markdown, "["+link+"]") {
			t.Errorf("the page's own link %q was dropped as menu:\n%s", link, idx.Markdown)
		}
	}
	if len(idx.Dropped) == 0 {
		t.Error("nothing recorded as dropped boilerplate")
	}
}
