package extract

import (
	"regexp"
	"strings"
	"testing"
)

// The three parts of a school's «Сведения» page that the panel fixtures
// fold in different ways: a label and the words its text begins with.
var panelParts = []struct{ label, text string }{
	{"Основные сведения", "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 5» создано в 1967 году, учредитель — администрация городского округа, полномочия учредителя осуществляет управление образования. Адрес: 665830, Иркутская область, г. Ангарск, ул. Школьная, д. 5, телефон 8 (3955) 52-12-34, режим работы с 8 до 18 часов, кроме воскресенья и праздничных дней."},
	{"Структура и органы управления", "Органы управления школой: общее собрание работников, педагогический совет, управляющий совет и совет обучающихся. Директор школы — Петрова Ольга Ивановна, заместители директора по учебной, воспитательной и административно-хозяйственной работе, положения об органах управления размещены в разделе документов, с ними можно ознакомиться в приёмной."},
	{"Документы", "Устав школы утверждён постановлением администрации городского округа в 2021 году, лицензия на образовательную деятельность выдана службой по контролю и надзору в сфере образования бессрочно, свидетельство об аккредитации действует до 2030 года, правила внутреннего распорядка, положение о приёме и отчёт о самообследовании опубликованы здесь же."},
}

// panelPage is a page of a Bootstrap theme: a navbar with a dropdown menu
// and a button that opens it on phones, a side menu, the content, a footer.
func panelPage(content string) string {
	return `<html><head><title>Сведения об образовательной организации — МБОУ СОШ № 5</title></head><body>
<nav class="navbar navbar-default"><div class="container"><div class="navbar-header">
<button type="button" class="navbar-toggle collapsed" data-toggle="collapse" data-target="#main-nav" aria-expanded="false"><span class="sr-only">Меню сайта</span><span class="icon-bar"></span></button>
<a class="navbar-brand" href="/">МБОУ СОШ № 5</a></div>
<div class="collapse navbar-collapse" id="main-nav"><ul class="nav navbar-nav"><li><a href="/">Главная</a></li>
<li class="dropdown"><a href="#" class="dropdown-toggle" data-toggle="dropdown" role="button" aria-haspopup="true" aria-expanded="false">Сведения об ОО <span class="caret"></span></a>
<ul class="dropdown-menu"><li><a href="/sveden/common/">Основные сведения об организации</a></li><li><a href="/sveden/struct/">Органы управления школой</a></li><li><a href="/sveden/document/">Документы школы</a></li></ul></li>
<li><a href="/news/">Новости</a></li><li><a href="/contacts/">Контакты</a></li></ul></div></div></nav>
<div class="container"><div class="row"><div class="col-md-3"><div class="list-group"><a class="list-group-item" href="/sveden/">Сведения об ОО</a>
<a class="list-group-item" href="/parents/">Родителям</a><a class="list-group-item" href="/pupils/">Ученикам</a><a class="list-group-item" href="/gia/">ГИА</a></div></div>
<div class="col-md-9">` + content + `</div></div></div>
<footer class="footer"><p>© 2024 МБОУ СОШ № 5, г. Ангарск. Все права защищены.</p></footer></body></html>`
}

// foldParts writes the parts with one of them per call of part(i, label, text).
func foldParts(part func(i int, label, text string) string) string {
	var b strings.Builder
	for i, p := range panelParts {
		b.WriteString(part(i, p.label, p.text))
	}
	return b.String()
}

func itoa(i int) string { return string(rune('1' + i)) }

// TestPanelsKeepEveryPartWithItsLabel: every panel of an accordion, of
// tabs, of spoilers and of <details> stays, in order, each under its label
// as a heading; a page's own menus and anchors do not become headings.
func TestPanelsKeepEveryPartWithItsLabel(t *testing.T) {
	h1 := `<h1>Сведения об образовательной организации</h1>`
	for _, tc := range []struct {
		name    string
		content string
		h1      bool // the page's own heading stays first
	}{
		{
			name: "details and summary",
			content: h1 + foldParts(func(i int, label, text string) string {
				return `<details><summary>` + label + `</summary><p>` + text + `</p></details>`
			}),
			h1: true,
		},
		{
			name: "Bootstrap 3 tabs",
			content: h1 + `<ul class="nav nav-tabs">` + foldParts(func(i int, label, text string) string {
				act := ""
				if i == 0 {
					act = ` class="active"`
				}
				return `<li` + act + `><a href="#t` + itoa(i) + `" data-toggle="tab">` + label + `</a></li>`
			}) + `</ul><div class="tab-content">` + foldParts(func(i int, label, text string) string {
				return `<div class="tab-pane fade" id="t` + itoa(i) + `"><p>` + text + `</p></div>`
			}) + `</div>`,
			h1: true,
		},
		{
			name: "Bootstrap 5 pills with buttons",
			content: h1 + `<ul class="nav nav-pills" role="tablist">` + foldParts(func(i int, label, text string) string {
				return `<li class="nav-item" role="presentation"><button class="nav-link" data-bs-toggle="pill" data-bs-target="#pill-` + itoa(i) +
					`" type="button" role="tab" aria-controls="pill-` + itoa(i) + `">` + label + `</button></li>`
			}) + `</ul><div class="tab-content">` + foldParts(func(i int, label, text string) string {
				return `<div class="tab-pane" id="pill-` + itoa(i) + `" role="tabpanel"><p>` + text + `</p></div>`
			}) + `</div>`,
			h1: true,
		},
		{
			name: "Bootstrap 4 accordion of cards",
			content: `<div class="accordion" id="acc">` + foldParts(func(i int, label, text string) string {
				return `<div class="card"><div class="card-header" id="h` + itoa(i) + `"><h2 class="mb-0"><button class="btn btn-link" type="button" data-toggle="collapse" data-target="#c` + itoa(i) +
					`" aria-expanded="false" aria-controls="c` + itoa(i) + `">` + label + `</button></h2></div><div id="c` + itoa(i) +
					`" class="collapse" data-parent="#acc"><div class="card-body">` + text + `</div></div></div>`
			}) + `</div>`,
		},
		{
			name: "Bootstrap 3 panel-group",
			content: h1 + `<div class="panel-group" id="accordion">` + foldParts(func(i int, label, text string) string {
				return `<div class="panel panel-default"><div class="panel-heading"><h4 class="panel-title"><a data-toggle="collapse" data-parent="#accordion" href="#collapse` + itoa(i) + `">` +
					label + `</a></h4></div><div id="collapse` + itoa(i) + `" class="panel-collapse collapse"><div class="panel-body"><p>` + text + `</p></div></div></div>`
			}) + `</div>`,
			h1: true,
		},
		{
			name: "Bootstrap 5 accordion",
			content: `<div class="accordion" id="sved">` + foldParts(func(i int, label, text string) string {
				return `<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button collapsed" type="button" data-bs-toggle="collapse" data-bs-target="#s` + itoa(i) + `">` +
					label + `</button></h2><div id="s` + itoa(i) + `" class="accordion-collapse collapse" data-bs-parent="#sved"><div class="accordion-body">` + text + `</div></div></div>`
			}) + `</div>`,
		},
		{
			name: "jQuery UI tabs with the closed panels hidden",
			content: h1 + `<div id="tabs"><ul>` + foldParts(func(i int, label, text string) string {
				return `<li><a href="#tabs-` + itoa(i) + `">` + label + `</a></li>`
			}) + `</ul>` + foldParts(func(i int, label, text string) string {
				hide := ""
				if i > 0 {
					hide = ` style="display: none;" aria-hidden="true"`
				}
				return `<div id="tabs-` + itoa(i) + `"` + hide + `><p>` + text + `</p></div>`
			}) + `</div>`,
			h1: true,
		},
		{
			name: "spoilers of a WordPress shortcode",
			content: h1 + foldParts(func(i int, label, text string) string {
				return `<div class="su-spoiler su-spoiler-closed"><div class="su-spoiler-title"><span class="su-spoiler-icon"></span>` + label +
					`</div><div class="su-spoiler-content" style="display:none">` + text + `</div></div>`
			}),
			h1: true,
		},
		{
			name: "uCoz spoilers with a button",
			content: h1 + foldParts(func(i int, label, text string) string {
				return `<div class="uSpoilerClosed" id="uSpoiler` + itoa(i) + `"><div class="uSpoilerButBl"><input type="button" class="uSpoilerButton" value="` + label +
					`"></div><div class="uSpoilerText">` + text + `</div></div>`
			}),
			h1: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := extractPanelPage(t, tc.content)
			at := 0
			if tc.h1 {
				if !strings.HasPrefix(d.Markdown, "# Сведения об образовательной организации\n") {
					t.Errorf("the page's heading is not first:\n%s", d.Markdown)
				}
				if d.Title != "Сведения об образовательной организации" {
					t.Errorf("title %q", d.Title)
				}
			} else if d.Title == panelParts[0].label {
				t.Errorf("a panel's label became the title %q", d.Title)
			}
			for _, p := range panelParts {
				h := "### " + p.label + "\n\n" + p.text[:40]
				i := strings.Index(d.Markdown[at:], h)
				if i < 0 {
					t.Errorf("part %q missing, out of order, or not under its heading:\n%s", p.label, d.Markdown)
					break
				}
				at += i + len(h)
			}
			if got := strings.Count(d.Markdown, panelParts[1].label); got != 1 {
				t.Errorf("label %q written %d times:\n%s", panelParts[1].label, got, d.Markdown)
			}
			for _, nav := range []string{"Главная", "Основные сведения об организации", "Меню сайта", "Родителям", "Все права защищены"} {
				if strings.Contains(d.Markdown, nav) {
					t.Errorf("navigation %q kept:\n%s", nav, d.Markdown)
				}
			}
		})
	}
}

var mdHeading = regexp.MustCompile(`(?m)^#+ .*$`)

// TestPanelsLeaveOtherControlsAlone: the toggles of menus, in-page tables
// of contents and «read more» links add no headings and keep their pages'
// content as it was.
func TestPanelsLeaveOtherControlsAlone(t *testing.T) {
	article := `<p>` + panelParts[0].text + `</p><p>` + panelParts[1].text + `</p>`
	for _, tc := range []struct {
		name     string
		content  string
		headings []string // all the Markdown's headings, in order
		want     []string
	}{
		{
			name:     "a page under a navbar with dropdowns and a phone's menu button",
			content:  `<h1>О школе</h1>` + article,
			headings: []string{"# О школе"},
			want:     []string{panelParts[1].text[:40]},
		},
		{
			name: "an in-page table of contents whose anchors are headings",
			content: `<h1>О школе</h1><div class="toc"><ul class="nav"><li><a href="#p1">История школы</a></li><li><a href="#p2">Наши традиции</a></li><li><a href="#p3">Наши выпускники</a></li></ul></div>` +
				`<h2 id="p1">История школы</h2><p>` + panelParts[0].text + `</p><div id="p2" class="section"><h2>Традиции школы</h2><p>` + panelParts[1].text +
				`</p></div><section id="p3"><h2>Наши выпускники</h2><p>` + panelParts[2].text + `</p></section>`,
			headings: []string{"# О школе", "## История школы", "## Традиции школы", "## Наши выпускники"},
			want:     []string{panelParts[2].text[:40]},
		},
		{
			name: "tabs whose panes have headings of their own",
			content: `<h1>О школе</h1><ul class="nav nav-tabs"><li><a href="#a" data-toggle="tab">История</a></li><li><a href="#b" data-toggle="tab">Традиции</a></li></ul>` +
				`<div class="tab-content"><div class="tab-pane active" id="a"><h2>История школы</h2><p>` + panelParts[0].text + `</p></div>` +
				`<div class="tab-pane" id="b"><h2>Традиции школы</h2><p>` + panelParts[1].text + `</p></div></div>`,
			headings: []string{"# О школе", "## История школы", "## Традиции школы"},
			want:     []string{panelParts[0].text[:40], panelParts[1].text[:40]},
		},
		{
			name: "a table of contents inside a tab",
			content: `<h1>О школе</h1><ul class="nav nav-tabs"><li><a href="#about" data-toggle="tab">Общие сведения</a></li><li><a href="#news" data-toggle="tab">Новости</a></li></ul>` +
				`<div class="tab-content"><div class="tab-pane active" id="about"><ul><li><a href="#hist">История</a></li><li><a href="#trad">Традиции</a></li></ul>` +
				`<div id="hist"><h2>История школы</h2><p>` + panelParts[0].text + `</p></div><div id="trad"><h2>Традиции школы</h2><p>` + panelParts[1].text + `</p></div></div>` +
				`<div class="tab-pane" id="news"><p>` + panelParts[2].text + `</p></div></div>`,
			// the tab's label above its pane's own headings, none of them twice
			headings: []string{"# О школе", "## Общие сведения", "## История школы", "## Традиции школы", "### Новости"},
			want:     []string{panelParts[2].text[:40]},
		},
		{
			name: "a «read more» that opens the rest of the text",
			content: `<h1>О школе</h1><p>` + panelParts[0].text + `</p><a class="btn" data-toggle="collapse" href="#more" aria-expanded="false">Читать далее…</a>` +
				`<div class="collapse" id="more"><p>` + panelParts[1].text + `</p></div>`,
			headings: []string{"# О школе"},
			want:     []string{panelParts[1].text[:40]},
		},
		{
			name: "a skip link and a link back to the top",
			content: `<a class="skip" href="#main-text">Перейти к основному содержанию</a><h1 id="top">О школе</h1><div id="main-text" class="ui-panel-wrapper">` + article +
				`<p><a href="#top">Наверх</a></p></div>`,
			headings: []string{"# О школе"},
			want:     []string{panelParts[1].text[:40]},
		},
		{
			name: "a spoiler's body whose first paragraph is short",
			content: `<h1>О школе</h1><div class="spoiler-body"><p>Коротко о школе.</p><p>` +
				panelParts[0].text + `</p><p>` + panelParts[1].text + `</p></div><a href="javascript:void(0)" class="show-more">Показать</a>`,
			headings: []string{"# О школе"},
			want:     []string{"Коротко о школе.\n\n" + panelParts[0].text[:40]},
		},
		{
			name: "a <details> that opens the site's menu on a phone",
			content: `<details class="mobile"><summary>Разделы сайта</summary><ul><li><a href="/sveden/">Сведения</a></li><li><a href="/news/">Новости школы</a></li>` +
				`<li><a href="/parents/">Для родителей</a></li></ul></details><h1>О школе</h1>` + article,
			headings: []string{"# О школе"},
			want:     []string{panelParts[1].text[:40]},
		},
		{
			name: "a canteen's menus in tabs named menus, and an accordion inside a tab",
			content: `<h1>Питание</h1><ul class="nav nav-tabs"><li><a href="#menu-mon" data-toggle="tab">Меню на понедельник</a></li><li><a href="#menu-tue" data-toggle="tab">Меню на вторник</a></li></ul>` +
				`<div class="tab-content"><div class="tab-pane menu" id="menu-mon"><div class="accordion">` +
				`<div class="card"><div class="card-header"><a data-toggle="collapse" href="#zavtrak">Завтрак</a></div><div class="collapse" id="zavtrak"><p>Каша овсяная молочная, 200 г, бутерброд с маслом и сыром, чай с сахаром, яблоко, всего 520 ккал на одного ученика.</p></div></div>` +
				`<div class="card"><div class="card-header"><a data-toggle="collapse" href="#obed">Обед</a></div><div class="collapse" id="obed"><p>Суп гороховый, 250 г, котлета куриная с гречкой, салат из свежей капусты, компот из сухофруктов, хлеб, всего 780 ккал.</p></div></div>` +
				`</div></div><div class="tab-pane menu" id="menu-tue"><p>Запеканка творожная со сметаной, 180 г, какао с молоком, хлеб пшеничный, груша, на обед борщ, рыба с картофельным пюре, кисель, всего 1250 ккал за день.</p></div></div>`,
			headings: []string{"# Питание", "### Меню на понедельник", "#### Завтрак", "#### Обед", "### Меню на вторник"},
			want:     []string{"Каша овсяная", "Суп гороховый", "Запеканка творожная"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := extractPanelPage(t, tc.content)
			if got := mdHeading.FindAllString(d.Markdown, -1); strings.Join(got, "\n") != strings.Join(tc.headings, "\n") {
				t.Errorf("headings %q, want %q:\n%s", got, tc.headings, d.Markdown)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Markdown, w) {
					t.Errorf("content %q lost:\n%s", w, d.Markdown)
				}
			}
			for _, nav := range []string{"Главная", "Основные сведения об организации", "Меню сайта", "Родителям"} {
				if strings.Contains(d.Markdown, nav) {
					t.Errorf("navigation %q kept:\n%s", nav, d.Markdown)
				}
			}
		})
	}
}

// TestPanelsWithTemplate: on a site whose template is learned, the panels
// are labelled too, and the card's own header does not repeat the label.
func TestPanelsWithTemplate(t *testing.T) {
	accordion := `<div class="accordion" id="acc">` + foldParts(func(i int, label, text string) string {
		return `<div class="card"><div class="card-header"><h5><a href="#c` + itoa(i) + `" data-toggle="collapse">` + label + `</a></h5></div><div id="c` + itoa(i) +
			`" class="collapse"><div class="card-body">` + text + `</div></div></div>`
	}) + `</div>`
	tmpl := NewTemplate()
	for i := range 4 {
		doc, err := Parse(panelPage("<h1>Страница " + itoa(i) + "</h1><p>Текст страницы о жизни школы номер " + itoa(i) + ".</p>"))
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Learn(doc)
	}
	doc, err := Parse(panelPage(`<h1>Сведения</h1>` + accordion))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Extract("http://school.example/sveden/", doc, Options{Template: tmpl})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range panelParts {
		if got := strings.Count(d.Markdown, p.label); got != 1 || !strings.Contains(d.Markdown, "### "+p.label+"\n\n"+p.text[:40]) {
			t.Errorf("part %q (label written %d times):\n%s", p.label, got, d.Markdown)
		}
	}
}

func extractPanelPage(t *testing.T, content string) *Document {
	t.Helper()
	doc, err := Parse(panelPage(content))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Extract("http://school.example/sveden/", doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
