package extract

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func extractFile(t *testing.T, name string) *Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(string(data))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Extract("http://school.example/sveden/page.html", doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMarkdownGolden(t *testing.T) {
	for _, name := range []string{"table_br_list.html", "nested_tables.html", "layout_2005.html"} {
		t.Run(name, func(t *testing.T) {
			d := extractFile(t, name)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".html")+".md")
			if *update {
				os.WriteFile(golden, []byte(d.Markdown+"\n"), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./extract -update)", err)
			}
			if d.Markdown+"\n" != string(want) {
				t.Errorf("markdown differs from %s:\n%s", golden, d.Markdown)
			}
		})
	}
}

func TestTablesKeepCellsApart(t *testing.T) {
	d := extractFile(t, "table_br_list.html")
	for _, bad := range []string{"ИвановаМария", "ЛитератураМатематика", "учителькласс"} {
		if strings.Contains(strings.ReplaceAll(d.Markdown, " ", ""), bad) {
			t.Errorf("cells or lines run together (%q):\n%s", bad, d.Markdown)
		}
	}
	if !strings.Contains(d.Markdown, "<td>Иванова<br>Мария Петровна</td>") || !strings.Contains(d.Markdown, "<li>Литература</li>") {
		t.Errorf("multi-line cells not kept as an HTML table:\n%s", d.Markdown)
	}
}

func TestNestedTablesLinksIframesImages(t *testing.T) {
	d := extractFile(t, "nested_tables.html")
	for _, want := range []string{
		"| Устав | [скачать](http://school.example/files/ustav.pdf) |",
		"(http://school.example/sveden/files/lic.pdf)",
		"[Карта проезда](https://yandex.ru/map-widget/v1/?ll=103.9",
		"![Здание школы](http://school.example/img/school.jpg)",
	} {
		if !strings.Contains(d.Markdown, want) {
			t.Errorf("missing %q in:\n%s", want, d.Markdown)
		}
	}
	atts := d.Attachments()
	if len(atts) != 2 || atts[0].Text != "скачать" {
		t.Errorf("attachments %+v", atts)
	}
}

// TestTemplateDropsRepeatedBlocks learns a site from several pages that
// share a menu and footer; the menu and footer go, the one-off table stays.
func TestTemplateDropsRepeatedBlocks(t *testing.T) {
	page := func(i int, body string) string {
		return fmt.Sprintf(`<html><body><div id="top"><a href="/">Главная</a> | <a href="/sveden/">Сведения об ОО</a> | <a href="/news/">Новости</a></div>
<div class="wrap"><h1>Страница %d</h1>%s</div>
<div class="bottom">© МБОУ СОШ № 7, 665830, г. Ангарск, тел. 52-12-34. Счётчик посещений</div></body></html>`, i, body)
	}
	tmpl := NewTemplate()
	var pages []string
	for i := 0; i < 6; i++ {
		body := fmt.Sprintf("<p>Текст страницы номер %d о жизни школы.</p>", i)
		if i == 3 {
			body += `<table><tr><td>Класс</td><td>Вакантных мест</td></tr><tr><td>5 «А»</td><td>2</td></tr></table>`
		}
		pages = append(pages, page(i, body))
	}
	for _, p := range pages {
		doc, _ := Parse(p)
		tmpl.Learn(doc)
	}
	doc, _ := Parse(pages[3])
	d, err := Extract("http://s.example/p3.html", doc, Options{Template: tmpl})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Text, "Счётчик") || strings.Contains(d.Text, "Сведения об ОО") {
		t.Errorf("template kept:\n%s", d.Text)
	}
	if !strings.Contains(d.Markdown, "| 5 «А» | 2 |") || !strings.Contains(d.Text, "Текст страницы номер 3") {
		t.Errorf("content lost:\n%s", d.Markdown)
	}
	if len(d.Dropped) < 2 {
		t.Errorf("dropped blocks not accounted for: %+v", d.Dropped)
	}
	for _, l := range d.Links {
		if l.URL == "http://s.example/sveden/" && l.InContent {
			t.Error("menu link counted as content")
		}
	}
}

// A page answered from another address (a folder linked without its
// slash, redirected to it) resolves its relative links against that
// address, as the browser and the crawler do; it keeps its own URL.
func TestRelativeLinksResolveAgainstTheAnswer(t *testing.T) {
	page := `<html><head><title>Основные сведения</title></head><body><main><h1>Основные сведения</h1>
<p>Полное наименование образовательной организации, дата создания, учредитель, место нахождения, режим работы и контактные телефоны.</p>
<p><a href="ustav.pdf">Устав</a> <a href="../index.html">Сведения</a></p></main></body></html>`
	root, err := Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Extract("http://s.example/sveden/common", root, Options{Base: "http://s.example/sveden/common/"})
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != "http://s.example/sveden/common" {
		t.Errorf("document URL %s, want the page's own", d.URL)
	}
	got := map[string]bool{}
	for _, l := range d.Links {
		got[l.URL] = true
	}
	for _, want := range []string{"http://s.example/sveden/common/ustav.pdf", "http://s.example/sveden/index.html"} {
		if !got[want] {
			t.Errorf("no link %s among %v", want, d.Links)
		}
	}
}

// A copy made by HTTrack says where it was mirrored from; that address
// names the page (a query page's copy is named by a hash).
func TestMirroredFrom(t *testing.T) {
	for _, c := range []struct{ page, want string }{
		{`<!DOCTYPE html><html><!-- Mirrored from school.ru/index.php?page=pitanie by HTTrack Website Copier/3.x [XR&CO'2014], Tue, 01 Mar 2016 10:00:00 GMT --><head><title>Питание</title></head><body><p>Меню</p></body></html>`,
			"http://school.ru/index.php?page=pitanie"},
		{`<html><head><!-- Mirrored from https://sch1.edu.ru/sveden/common/ by HTTrack Website Copier/3.x --><title>x</title></head><body></body></html>`,
			"https://sch1.edu.ru/sveden/common/"},
		{`<html><head><title>x</title></head><body><!-- Mirrored from school.ru/a by HTTrack --><p>текст</p></body></html>`, ""}, // inside the text: not the tool's note
		{`<html><!-- saved from url=(0022)http://school.ru/ --><head></head><body></body></html>`, ""},
		{`<html><!-- Mirrored from <script>x</script> by HTTrack --><body></body></html>`, ""},
	} {
		root, err := Parse(c.page)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Extract("http://mirror.example/indexd6c3.html", root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.MirroredFrom != c.want {
			t.Errorf("%.60s…: mirrored from %q, want %q", c.page, d.MirroredFrom, c.want)
		}
	}
}
