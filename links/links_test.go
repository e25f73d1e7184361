package links

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"perenos/store"
)

// both reads page with the token reader and the tree reader and fails the
// test when they disagree: there is one set of rules.
func both(t *testing.T, base, page string) []Link {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	fromTokens := FromHTML(b, page)
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	fromTree := FromNode(b, root)
	if !slices.Equal(fromTokens, fromTree) {
		t.Errorf("token and tree readers differ:\ntokens %+v\ntree   %+v", fromTokens, fromTree)
	}
	return fromTokens
}

func TestLinks(t *testing.T) {
	const base = "http://school.test/about/index.html"
	cases := []struct {
		name string
		page string
		want []Link
	}{
		{"anchor text, title and alt",
			`<a href="/a.html">Об <b>учреждении</b></a> <a href="b.html" title="Бэ"></a> <a href="c.html"><img src="/i/c.png" alt="Цэ"></a>`,
			[]Link{
				{URL: "http://school.test/a.html", Text: "Об учреждении", Target: Page},
				{URL: "http://school.test/about/b.html", Text: "Бэ", Target: Page},
				{URL: "http://school.test/about/c.html", Text: "Цэ", Target: Page},
				{URL: "http://school.test/i/c.png", Text: "Цэ", Via: store.ViaImage, Target: Image},
			}},
		{"files by extension and download",
			`<a href="/docs/ustav.PDF#page=2">Устав</a><a href="/get?id=7" download>Скачать</a>`,
			[]Link{
				{URL: "http://school.test/docs/ustav.PDF", Text: "Устав", Target: File},
				{URL: "http://school.test/get?id=7", Text: "Скачать", Target: File},
			}},
		{"not links",
			`<a href="mailto:a@b">m</a><a href="javascript:void(0)">j</a><a href="#top">top</a><a>no href</a><a href="tel:+7">t</a>`,
			nil},
		{"base, frames, image map, refresh",
			`<head><base href="http://school.test/new/"><meta http-equiv="Refresh" content="0; URL=start.html"></head>
			 <iframe src="menu.html"></iframe><map><area href="m.html" alt="Карта"></map>`,
			[]Link{
				{URL: "http://school.test/new/start.html", Via: store.ViaRefresh, Target: Page},
				{URL: "http://school.test/new/menu.html", Via: store.ViaFrame, Target: Page},
				{URL: "http://school.test/new/m.html", Text: "Карта", Target: Page},
			}},
		{"documents shown inside the page",
			`<embed src="/files/ustav.pdf" type="application/pdf" title="Устав"><object data="lic.pdf" type="application/pdf"></object>
			 <iframe src="https://docs.google.com/viewer?url=http%3A%2F%2Fschool.test%2Ffiles%2Fpfhd.pdf&amp;embedded=true"></iframe>
			 <iframe src="https://view.officeapps.live.com/op/view.aspx?src=http://school.test/files/plan.docx"></iframe>`,
			[]Link{
				{URL: "http://school.test/files/ustav.pdf", Text: "Устав", Via: store.ViaEmbed, Target: File},
				{URL: "http://school.test/about/lic.pdf", Via: store.ViaEmbed, Target: File},
				{URL: "https://docs.google.com/viewer?url=http%3A%2F%2Fschool.test%2Ffiles%2Fpfhd.pdf&embedded=true", Via: store.ViaFrame, Target: Page},
				{URL: "http://school.test/files/pfhd.pdf", Via: store.ViaEmbed, Target: File},
				{URL: "https://view.officeapps.live.com/op/view.aspx?src=http://school.test/files/plan.docx", Via: store.ViaFrame, Target: Page},
				{URL: "http://school.test/files/plan.docx", Via: store.ViaEmbed, Target: File},
			}},
		{"backslash href",
			`<a href="news\2018\sept.html">Новости</a><a href="\docs\plan.pdf?a=b\c">План</a>`,
			[]Link{
				{URL: "http://school.test/about/news/2018/sept.html", Text: "Новости", Via: store.ViaBackslash, Target: Page},
				{URL: "http://school.test/docs/plan.pdf?a=b\\c", Text: "План", Via: store.ViaBackslash, Target: File},
			}},
		{"clicked elements named by their text, under one rule",
			`<table><tr><td onclick="location='sveden.html'"><b>Сведения</b> об ОО<td onclick="location='news.html'">Новости
			 <tr onclick="location.href='docs.html'"><td>Документы</td><td>2024</td></tr>
			 <tr><td onclick="location='block.html'"><a href="a.html">Внутри ссылка</a></td></tr></table>
			 <div onclick="location='outer.html'"><span onclick="location='inner.html'">Внутренний</span></div>
			 <div onclick="location='nested.html'"><div>Вложенный</div> блок</div>
			 <p onclick="location='long.html'">` + strings.Repeat("Длинный текст страницы ", 10) + `</p>
			 <input type="button" value="Вакантные места" onclick="location.href='vacant.html'">
			 <li onclick="location='li1.html'">Первый<li onclick="location='li2.html'">Второй</li>`,
			[]Link{
				{URL: "http://school.test/about/sveden.html", Text: "Сведения об ОО", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/news.html", Text: "Новости", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/docs.html", Text: "Документы 2024", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/block.html", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/a.html", Text: "Внутри ссылка", Target: Page},
				{URL: "http://school.test/about/outer.html", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/inner.html", Text: "Внутренний", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/nested.html", Text: "Вложенный блок", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/long.html", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/vacant.html", Text: "Вакантные места", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/li1.html", Text: "Первый", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/li2.html", Text: "Второй", Via: store.ViaOnclick, Target: Page},
			}},
		{"onclick",
			`<div onclick="location.href='/sveden/index.html'">Сведения</div>
			 <button onclick="window.open('docs/price.pdf', '_blank')">Цены</button>
			 <span onclick="saveProfile(); return false">x</span>
			 <a href="#" onclick="document.location = 'contacts.php?x=1'; return false;">Контакты</a>`,
			[]Link{
				{URL: "http://school.test/sveden/index.html", Text: "Сведения", Via: store.ViaOnclick, Target: Page},
				{URL: "http://school.test/about/docs/price.pdf", Text: "Цены", Via: store.ViaOnclick, Target: File},
				{URL: "http://school.test/about/contacts.php?x=1", Text: "Контакты", Via: store.ViaOnclick, Target: Page},
			}},
		{"javascript: addresses, with the anchor's text",
			`<a href="javascript:window.open('docs/ustav.pdf','_blank')">Устав</a>
			 <a href="JavaScript:openPage('/sveden/common.html')">Основные сведения</a>
			 <a href="javascript:void(0)">Меню</a><a href="javascript:history.back()">Назад</a>`,
			[]Link{
				{URL: "http://school.test/about/docs/ustav.pdf", Text: "Устав", Via: store.ViaOnclick, Target: File},
				{URL: "http://school.test/sveden/common.html", Text: "Основные сведения", Via: store.ViaOnclick, Target: Page},
			}},
		{"script-loaded menu and script files",
			`<div id="header-placeholder"></div>
			 <script src="/js/menu.js"></script>
			 <script>
			   // fetch('old-header.html') is commented out
			   fetch('header.html').then(r => { if (!r.ok) throw new Error('Ошибка загрузки header.html'); return r.text() })
			   $('#footer').load("/parts/footer.htm");
			   var mime = 'text/html', api = '/api/login', icon = '/img/logo.png', dir = '/photos/';
			   fetch('/api/posts/').then(r => r.json());
			   document.write('<a href="/news/">Новости</a>');
			   var t = ` + "`/u/${id}.html`" + `;
			 </script>`,
			[]Link{
				{URL: "http://school.test/js/menu.js", Via: store.ViaScriptSrc, Target: Script},
				{URL: "http://school.test/about/header.html", Via: store.ViaScript, Target: Page},
				{URL: "http://school.test/parts/footer.htm", Via: store.ViaScript, Target: Page},
				{URL: "http://school.test/news/", Text: "Новости", Via: store.ViaScript, Target: Page},
			}},
		{"jump menu and GET form with a select",
			`<select onchange="location=this.value"><option value="">Выберите</option><option value="/a.html">А</option><option value="b.html">Бэ</option></select>
			 <form action="/page.php" method="get"><input type="hidden" name="lang" value="ru">
			   <select name="id"><option value="7">Семь</option><option>8</option></select><input type="submit" value="Перейти"></form>
			 <form action="/search.php"><input type="text" name="q"><select name="in"><option value="news">в новостях</option></select></form>
			 <form action="/send.php" method="post"><select name="to"><option value="1">1</option></select></form>`,
			[]Link{
				{URL: "http://school.test/a.html", Text: "А", Via: store.ViaForm, Target: Page},
				{URL: "http://school.test/about/b.html", Text: "Бэ", Via: store.ViaForm, Target: Page},
				{URL: "http://school.test/page.php?lang=ru&id=7", Text: "Семь", Via: store.ViaForm, Target: Page},
				{URL: "http://school.test/page.php?lang=ru&id=8", Text: "8", Via: store.ViaForm, Target: Page},
			}},
		{"images with srcset and lazy src",
			`<img src="/i/a.jpg" srcset="/i/a-2x.jpg 2x, /i/a-3x.jpg 3x" alt="Здание"><img src="data:image/png;base64,xx" data-src="/i/lazy.jpg">`,
			[]Link{
				{URL: "http://school.test/i/a.jpg", Text: "Здание", Via: store.ViaImage, Target: Image},
				{URL: "http://school.test/i/a-2x.jpg", Text: "Здание", Via: store.ViaImage, Target: Image},
				{URL: "http://school.test/i/a-3x.jpg", Text: "Здание", Via: store.ViaImage, Target: Image},
				{URL: "http://school.test/i/lazy.jpg", Via: store.ViaImage, Target: Image},
			}},
		{"noscript menu",
			`<noscript><a href="/sitemap.html">Карта сайта</a></noscript>`,
			[]Link{{URL: "http://school.test/sitemap.html", Text: "Карта сайта", Target: Page}}},
		{"percent-encoded slash kept as written",
			`<a href="/a%2F..%2Fetc">x</a>`,
			[]Link{{URL: "http://school.test/a%2F..%2Fetc", Text: "x", Target: Page}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := both(t, base, "<html><body>"+c.page+"</body></html>")
			if !slices.Equal(got, c.want) {
				t.Errorf("got\n%s\nwant\n%s", show(got), show(c.want))
			}
		})
	}
}

func show(ls []Link) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString("  " + l.URL + " [" + l.Text + "] via=" + string(l.Via) + " " + l.Target.String() + "\n")
	}
	return b.String()
}

func TestFromScript(t *testing.T) {
	base, _ := url.Parse("http://school.test/index.html")
	js := `
	var menu = '<ul><li><a href="/sveden/">Сведения</a></li><li><a href=\'news.html\'>Новости</a></li></ul>';
	document.getElementById('m').innerHTML = menu;
	xhr.open('GET', 'parts/top.html', true);
	var s = "she said \"hi\"", re = /it's/g;
	window.location.replace("/moved.html");
	`
	got := FromScript(base, js)
	want := []Link{
		{URL: "http://school.test/sveden/", Text: "Сведения", Via: store.ViaScript},
		{URL: "http://school.test/news.html", Text: "Новости", Via: store.ViaScript},
		{URL: "http://school.test/parts/top.html", Via: store.ViaScript},
		{URL: "http://school.test/moved.html", Via: store.ViaScript},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", show(got), show(want))
	}
}

func TestVisitorReturnsTheLinksOfEachNode(t *testing.T) {
	root, _ := html.Parse(strings.NewReader(`<p><a href="/x.html">X</a></p>`))
	base, _ := url.Parse("http://school.test/")
	v := NewVisitor(base)
	var at []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for _, l := range v.Visit(n) {
			at = append(at, n.Data+"→"+l.URL)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if want := []string{"a→http://school.test/x.html"}; !slices.Equal(at, want) {
		t.Errorf("links by node %v, want %v", at, want)
	}
}

func FuzzFromHTML(f *testing.F) {
	f.Add(`<a href="x">y</a><script>fetch('a.html')</script><form action=z><select name=n><option>1`)
	f.Add(`<a href="\a\b" onclick="location='c'">`)
	f.Fuzz(func(t *testing.T, page string) {
		base, _ := url.Parse("http://school.test/d/")
		for _, l := range FromHTML(base, page) {
			u, err := url.Parse(l.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
				t.Fatalf("bad link %+v from %q", l, page)
			}
		}
	})
}

func BenchmarkFromHTML(b *testing.B) {
	var page strings.Builder
	page.WriteString(`<html><head><title>Школа</title><script src="/js/jquery.min.js"></script></head><body><div class="menu">`)
	for i := range 60 {
		fmt.Fprintf(&page, `<a class="item" style="color:red" href="/p%d.html" title="Страница">Страница номер %d</a> <p class="text">текст абзаца с <b>выделением</b></p>`, i, i)
	}
	page.WriteString(`<img src="/i/a.jpg" alt="фото"></div><script>$(function(){ $('#m').load('menu.html') })</script></body></html>`)
	base, _ := url.Parse("http://school.test/")
	text := page.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		FromHTML(base, text)
	}
}

func FuzzFromScript(f *testing.F) {
	f.Add(`fetch('header.html'); var s = "a\"b" // 'c'`)
	f.Add("`x${y}` /* 'z' */ location.href='/a\\\\b.html'")
	f.Fuzz(func(t *testing.T, js string) {
		base, _ := url.Parse("http://school.test/d/")
		for _, l := range FromScript(base, js) {
			if _, err := url.Parse(l.URL); err != nil {
				t.Fatalf("bad link %+v from %q", l, js)
			}
		}
	})
}
