package crawlbench

import (
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// siteFacts are what a site says about its organisation, the same on
// every page: people, address, phones.
type siteFacts struct {
	managers   []person
	staff      []person
	staffPosts []string
	street     string
	house      int
	zip        string
	phone      string
	phone2     string
	email      string
	founded    int
	color      string
	counter    int
	microdata  bool // marks up its sveden pages with the official itemprops
	brokenLink bool // its footer links a page that is gone
}

var streets = []string{"ул. Ленина", "ул. Школьная", "ул. Советская", "ул. Мира", "ул. Гагарина", "ул. Молодёжная",
	"ул. Садовая", "ул. Октябрьская", "пр. Строителей", "ул. Комсомольская", "ул. Набережная", "ул. Первомайская"}

var colors = []string{"#336699", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#5d4037", "#1565c0", "#ef6c00"}

func (s *LegacySite) facts() *siteFacts {
	rng := rand.New(rand.NewPCG(seedOf(s.Index, "facts"), 7))
	f := &siteFacts{
		street: streets[rng.IntN(len(streets))], house: 1 + rng.IntN(120), zip: fmt.Sprintf("66%04d", rng.IntN(10000)),
		phone: fmt.Sprintf("8 (395%d) %02d-%02d-%02d", rng.IntN(10), 20+rng.IntN(79), rng.IntN(100), rng.IntN(100)),
		email: typeSlug[s.Type] + fmt.Sprint(s.Index) + "@" + translit(s.Town) + "-obr.bench",
		// the founding year, a colour and a counter make templates differ
		founded: 1935 + rng.IntN(80), color: colors[rng.IntN(len(colors))], counter: 10000000 + rng.IntN(89999999),
		microdata:  s.Theme != ThemeTable || s.Index%2 == 0,
		brokenLink: s.Index%5 == 2,
	}
	f.phone2 = fmt.Sprintf("8 (395%d) %02d-%02d-%02d", rng.IntN(10), 20+rng.IntN(79), rng.IntN(100), rng.IntN(100))
	for range managerPosts[s.Type] {
		f.managers = append(f.managers, newPerson(rng))
	}
	n := map[string]int{"school": 25, "preschool": 14, "medical": 30, "municipal": 12}[s.Type] + rng.IntN(30)
	posts := staffPosts[s.Type]
	for range n {
		f.staff = append(f.staff, newPerson(rng))
		f.staffPosts = append(f.staffPosts, posts[rng.IntN(len(posts))])
	}
	return f
}

// render writes page i of the site as UTF-8 HTML.
func (p *sitePlan) render(i int) string {
	pg := &p.pages[i]
	r := &renderer{p: p, pg: pg, f: p.facts, rng: rand.New(rand.NewPCG(seedOf(p.site.Index, "page", i), 11))}
	r.page()
	return r.b.String()
}

type renderer struct {
	p   *sitePlan
	pg  *legacyPage
	f   *siteFacts
	rng *rand.Rand
	b   strings.Builder
}

func (r *renderer) w(format string, args ...any) { fmt.Fprintf(&r.b, format, args...) }
func (r *renderer) s(text string)                { r.b.WriteString(text) }

// e escapes text for HTML.
func e(s string) string { return html.EscapeString(s) }

func (r *renderer) page() {
	s := r.p.site
	title := e(r.pg.title)
	if r.pg.kind == kindHome {
		title = e(s.Short) + " — официальный сайт"
	} else {
		title += " — " + e(s.Short)
	}
	switch s.Theme {
	case ThemeTable:
		r.w(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">`+"\n<html>\n<head>\n"+`<meta http-equiv="Content-Type" content="text/html; charset=%s">`+"\n<title>%s</title>\n", s.Charset, title)
		r.w(`<meta name="description" content="Официальный сайт %s">`+"\n"+`<link rel="stylesheet" type="text/css" href="%s">`+"\n</head>\n", e(s.Short), r.p.href("style.css"))
		r.w(`<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0">`+"\n"+`<table width="100%%" border="0" cellspacing="0" cellpadding="0" bgcolor="%s"><tr>`, r.f.color)
		r.w(`<td width="120" align="center"><a href="%s"><img src="%s" width="100" height="100" border="0" alt="Эмблема"></a></td>`, r.p.href(""), r.p.href("images/logo.gif"))
		r.w(`<td align="center"><font face="Times New Roman" size="5" color="#FFFFFF"><b>%s</b></font><br><font face="Arial" size="2" color="#FFFFCC">г. %s &nbsp;|&nbsp; с %d года</font></td></tr></table>`+"\n", e(s.Name), e(s.Town), r.f.founded)
		r.bvi()
		r.s(`<table width="100%" border="0" cellspacing="0" cellpadding="6"><tr><td width="190" valign="top" bgcolor="#E8EEF7">` + "\n")
		r.s(`<table width="100%" border="0" cellspacing="0" cellpadding="2"><tr><td><font face="Arial" size="2"><b>&nbsp;Меню</b></font></td></tr><tr><td><font face="Arial" size="2">` + "\n")
		for _, m := range r.menu() {
			r.w("&raquo; <a href=\"%s\">%s</a><br>\n", m[0], m[1])
		}
		for _, m := range r.submenu() {
			r.w("&middot; <a href=\"%s\">%s</a><br>\n", m[0], m[1])
		}
		r.s("</font></td></tr></table>\n")
		r.banners()
		r.s("</td>\n<td valign=\"top\">\n")
		r.content()
		r.s("</td></tr></table>\n")
		r.w(`<table width="100%%" bgcolor="%s"><tr><td align="center"><font face="Arial" size="1" color="#FFFFFF">`, r.f.color)
		r.footerText()
		r.w(`</font><br><img src="%s" width="88" height="31" alt="счётчик"></td></tr></table>`+"\n</body>\n</html>\n", r.p.href("images/counter.gif"))
	case ThemeBitrix:
		r.w("<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n<title>%s</title>\n", title)
		r.w(`<link href="%s?%d" type="text/css" rel="stylesheet" />`+"\n", r.p.href("bitrix/templates/main/styles.css"), 1690000000+s.Index)
		r.w("<script type=\"text/javascript\">var BX_MESS={'LANGUAGE_ID':'ru','SITE_ID':'s1','SERVER_TIME':'%d','bitrix_sessid':'%016x'};</script>\n", 1716000000+r.rng.IntN(100000), seedOf(s.Index, "sess"))
		r.style()
		r.s("</head>\n<body>\n<div id=\"panel\"></div>\n<div class=\"bx-wrapper\">\n<header class=\"header\">\n")
		r.w(`<a class="logo" href="%s"><img src="%s" alt="%s" /></a><div class="logo-text">%s</div>`, r.p.href(""), r.p.href("bitrix/templates/main/images/logo.png"), e(s.Short), e(s.Name))
		r.w(`<div class="header-phones">Телефон: <b>%s</b></div><div class="search"><a href="%s">Поиск по сайту</a></div>`+"\n", r.f.phone, r.p.href("search/"))
		r.s("<ul class=\"menu\">\n")
		for _, m := range r.menu() {
			r.w("<li><a href=\"%s\">%s</a>", m[0], m[1])
			r.dropdown(m[0])
			r.s("</li>\n")
		}
		r.s("</ul>\n")
		r.bvi()
		r.s("</header>\n<div class=\"page-wrap\">\n<div class=\"sidebar\">\n<ul class=\"left-menu\">\n")
		for _, m := range r.submenu() {
			r.w("<li><a href=\"%s\">%s</a></li>\n", m[0], m[1])
		}
		r.s("</ul>\n")
		r.banners()
		r.s("</div>\n<div class=\"content\">\n")
		r.w(`<div class="breadcrumbs"><a href="%s">Главная</a> / <span>%s</span></div>`+"\n<div id=\"workarea\">\n", r.p.href(""), e(r.pg.title))
		r.content()
		r.s("</div>\n</div>\n</div>\n<footer class=\"footer\">")
		r.footerText()
		r.w(`<div class="dev">Разработка сайта — <a href="https://webstudio.example/">веб-студия</a></div>`)
		r.s("</footer>\n</div>\n")
		r.counter()
		r.s("</body>\n</html>\n")
	case ThemeWordPress:
		r.w("<!DOCTYPE html>\n<html lang=\"ru-RU\">\n<head>\n<meta charset=\"UTF-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n", title)
		r.w(`<link rel="stylesheet" id="theme-css" href="%s?ver=5.%d" type="text/css" media="all" />`+"\n", r.p.href("wp-content/themes/school/style.css"), s.Index%9)
		r.style()
		r.w("</head>\n<body class=\"page-template-default page page-id-%d\">\n<div id=\"page\" class=\"site\">\n<header id=\"masthead\" class=\"site-header\">\n", 10+r.rng.IntN(900))
		r.w(`<p class="site-title"><a href="%s" rel="home">%s</a></p><p class="site-description">%s</p>`+"\n", r.p.href(""), e(s.Short), e(s.Name))
		r.s("<nav id=\"site-navigation\" class=\"main-navigation\"><ul id=\"primary-menu\" class=\"menu\">\n")
		for _, m := range r.menu() {
			r.w("<li class=\"menu-item\"><a href=\"%s\">%s</a>", m[0], m[1])
			r.dropdown(m[0])
			r.s("</li>\n")
		}
		r.s("</ul></nav>\n")
		r.bvi()
		r.s("</header>\n<div id=\"content\" class=\"site-content\">\n<main id=\"main\" class=\"site-main\">\n<article class=\"page type-page status-publish\">\n<div class=\"entry-content\">\n")
		r.content()
		r.s("</div>\n</article>\n</main>\n<aside id=\"secondary\" class=\"widget-area\">\n<section class=\"widget\"><h2 class=\"widget-title\">Разделы</h2><ul>\n")
		for _, m := range r.submenu() {
			r.w("<li><a href=\"%s\">%s</a></li>\n", m[0], m[1])
		}
		r.s("</ul></section>\n<section class=\"widget widget_recent_entries\"><h2 class=\"widget-title\">Свежие записи</h2><ul>\n")
		for k := 0; k < min(5, r.p.items); k++ {
			r.w("<li><a href=\"%s\">%s</a></li>\n", r.p.href(r.p.pages[r.p.itemPage+k].path), e(r.p.pages[r.p.itemPage+k].title))
		}
		r.s("</ul></section>\n<section class=\"widget widget_calendar\">")
		r.calendar()
		r.s("</section>\n")
		r.banners()
		r.s("</aside>\n</div>\n<footer id=\"colophon\" class=\"site-footer\"><div class=\"site-info\">")
		r.footerText()
		r.s("</div></footer>\n</div>\n")
		r.counter()
		r.s("</body>\n</html>\n")
	case ThemeJoomla:
		r.w("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"ru-ru\" lang=\"ru-ru\">\n<head>\n")
		r.w("<meta http-equiv=\"content-type\" content=\"text/html; charset=%s\" />\n<meta name=\"generator\" content=\"Joomla! - Open Source Content Management\" />\n<title>%s</title>\n", s.Charset, title)
		r.w(`<link rel="stylesheet" href="%s" type="text/css" />`+"\n", r.p.href("templates/shkola/css/template.css"))
		r.style()
		r.s("</head>\n<body>\n<div id=\"wrapper\">\n<div id=\"header\">")
		r.w(`<div id="logo"><a href="%s"><img src="%s" alt="" /></a></div><h1 class="sitename">%s</h1><div class="slogan">г. %s, %s, %d</div>`, r.p.href(""), r.p.href("images/logo.jpg"), e(s.Short), e(s.Town), e(r.f.street), r.f.house)
		r.s("</div>\n<div id=\"topmenu\"><div class=\"moduletable_menu\"><ul class=\"menu\">\n")
		for _, m := range r.menu() {
			r.w("<li class=\"item\"><a href=\"%s\"><span>%s</span></a>", m[0], m[1])
			r.dropdown(m[0])
			r.s("</li>\n")
		}
		r.s("</ul></div></div>\n")
		r.bvi()
		r.s("<div id=\"main\">\n<div id=\"left\"><div class=\"moduletable\"><h3>Сведения</h3><ul class=\"menu\">\n")
		for _, m := range r.submenu() {
			r.w("<li><a href=\"%s\">%s</a></li>\n", m[0], m[1])
		}
		r.s("</ul></div>\n")
		r.banners()
		r.s("<div class=\"moduletable\"><h3>Календарь событий</h3>")
		r.calendar()
		r.s("</div>\n")
		r.w("<div class=\"moduletable\"><h3>Кто на сайте</h3><p>Сейчас на сайте %d гостей</p></div>\n", 1+r.rng.IntN(9))
		r.s("</div>\n<div id=\"component\"><div class=\"item-page\">\n")
		r.content()
		r.s("</div></div>\n</div>\n<div id=\"footer\">")
		r.footerText()
		r.s("</div>\n</div>\n")
		r.counter()
		r.s("</body>\n</html>\n")
	default: // the constructor's one template
		r.w("<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", title)
		r.w(`<link rel="stylesheet" href="https://static.edu-portal.example/konstruktor/v3/main.css">` + "\n")
		r.style()
		r.s("</head>\n<body>\n<div class=\"k-topbar\"><a href=\"https://edu-portal.example/\">Образовательный портал области</a> | <a href=\"https://edu-portal.example/sites/\">Все сайты организаций</a></div>\n")
		r.w(`<div class="k-header"><div class="k-name">%s</div><div class="k-addr">%s, г. %s, %s, %d · %s</div></div>`+"\n", e(s.Name), r.f.zip, e(s.Town), e(r.f.street), r.f.house, r.f.phone)
		r.s("<div class=\"k-nav\">\n")
		for _, m := range r.menu() {
			r.w("<a class=\"k-nav-item\" href=\"%s\">%s</a>\n", m[0], m[1])
		}
		r.s("</div>\n")
		r.bvi()
		r.s("<div class=\"k-body\"><div class=\"k-side\">\n")
		for _, m := range r.submenu() {
			r.w("<div class=\"k-side-item\"><a href=\"%s\">%s</a></div>\n", m[0], m[1])
		}
		r.banners()
		r.s("</div>\n<div class=\"k-main\">\n")
		r.content()
		r.s("</div></div>\n<div class=\"k-footer\">")
		r.footerText()
		r.s(" Сайт работает на платформе регионального конструктора сайтов образовательных организаций.</div>\n")
		r.counter()
		r.s("</body>\n</html>\n")
	}
}

// style is the inline CSS and scripts legacy templates carry in every
// page, with the meta tags their SEO plugins add.
func (r *renderer) style() {
	s := r.p.site
	r.w("<meta name=\"keywords\" content=\"%s, %s, официальный сайт, г. %s\" />\n", e(s.Short), e(typeWords[s.Type]), e(s.Town))
	r.w("<meta property=\"og:title\" content=\"%s\" />\n<meta property=\"og:site_name\" content=\"%s\" />\n<meta property=\"og:type\" content=\"website\" />\n", e(r.pg.title), e(s.Short))
	r.w("<link rel=\"icon\" href=\"%s\" type=\"image/x-icon\" />\n", r.p.href("favicon.ico"))
	r.s("<script type=\"text/javascript\">\nvar siteConfig = {\n")
	r.w("  lang: 'ru', theme: '%s', counter: %d, slider: {auto: true, delay: 5000, effect: 'fade', items: [", s.Theme, r.f.counter)
	for k := range 6 {
		r.w("{src: '%s', title: '%s'},", r.p.href(fmt.Sprintf("images/slider/%d.jpg", k)), albumTitles[k])
	}
	r.s("]},\n  bvi: {fontSize: 16, theme: 'white', images: true, speech: true, lineHeight: 'normal', letterSpacing: 'normal'},\n")
	r.s("  cookies: {text: 'Сайт использует файлы cookie для корректной работы и сбора статистики посещений.', accept: 'Согласен'}\n};\n")
	r.s("function toggleMenu(id){var m=document.getElementById(id);if(!m)return false;m.style.display=(m.style.display=='block')?'none':'block';return false;}\n")
	r.s("function bviOpen(){document.body.className+=' bvi-active';try{localStorage.setItem('bvi','1');}catch(e){}return false;}\n")
	r.s("document.addEventListener('DOMContentLoaded',function(){var a=document.querySelectorAll('.menu > li');for(var i=0;i<a.length;i++){a[i].onmouseover=function(){this.className+=' hover';};a[i].onmouseout=function(){this.className=this.className.replace(' hover','');};}});\n</script>\n")
	c := r.f.color
	r.w("<style type=\"text/css\">\nbody{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;background:#f4f6f8}\n"+
		".header,.k-header,#header,#masthead{background:%s;color:#fff;padding:10px 20px}\n"+
		".menu li,.k-nav-item{display:inline-block;margin:0 8px}.menu a,.k-nav a{color:#fff;text-decoration:none}\n"+
		".sidebar,.k-side,#left,#secondary{float:left;width:230px;background:#e8eef7;padding:10px}\n"+
		".content,.k-main,#component,#main{margin-left:250px;padding:10px 20px;background:#fff}\n"+
		"table.tbl{border-collapse:collapse;width:100%%}table.tbl td,table.tbl th{border:1px solid #ccc;padding:4px 6px;vertical-align:top}\n"+
		".news-item{margin:0 0 14px;padding:0 0 10px;border-bottom:1px dotted #ccc}.news-date{color:#888;font-size:12px}\n"+
		".docs li{margin:4px 0}.docs .size{color:#888}.banner{display:block;margin:6px 0}\n"+
		".footer,.k-footer,#footer,.site-footer{clear:both;background:%s;color:#fff;padding:14px 20px;font-size:12px}\n"+
		".bvi-panel{display:none;background:#000;color:#fff;padding:8px}.bvi-active .bvi-panel{display:block}.bvi-panel a{color:#ff0;margin:0 6px}\n"+
		".menu li ul{display:none;position:absolute;background:#fff;border:1px solid #ccc;z-index:100}.menu li.hover ul{display:block}.menu li ul li{display:block;margin:0}.menu li ul a{color:#222;padding:4px 10px;display:block}\n"+
		".calendar{width:100%%;font-size:11px;text-align:center}.calendar td{padding:2px}.calendar .today{background:"+c+";color:#fff}\n"+
		"@media (max-width:800px){.sidebar,.k-side,#left{float:none;width:auto}.content,.k-main{margin-left:0}}\n</style>\n", c, c)
}

// counter is the visitor counter's script that legacy pages end with.
func (r *renderer) counter() {
	r.w("<script type=\"text/javascript\">(function(w,d,n){var c=d.createElement('script');c.async=true;"+
		"c.src='https://counter.example/tag.js?id=%d';var s=d.getElementsByTagName('script')[0];s.parentNode.insertBefore(c,s);"+
		"w[n]=w[n]||function(){(w[n].a=w[n].a||[]).push(arguments)};})(window,document,'cnt');cnt(%d,'init',{clickmap:true,trackLinks:true});</script>\n"+
		"<noscript><div><img src=\"https://counter.example/watch/%d\" style=\"position:absolute;left:-9999px\" alt=\"\" /></div></noscript>\n", r.f.counter, r.f.counter, r.f.counter)
}

// banners are the links to federal services every public site shows.
func (r *renderer) banners() {
	r.s("<div class=\"banners\">\n")
	switch r.p.site.Type {
	case "school", "preschool":
		r.s(`<a class="banner" href="https://www.gosuslugi.ru/"><img src="https://static.example/banners/gosuslugi.png" alt="Госуслуги"></a>` + "\n")
		r.s(`<a class="banner" href="https://obrnadzor.gov.ru/">Рособрнадзор</a>` + "\n")
		r.s(`<a class="banner" href="https://bus.gov.ru/">Официальный сайт для размещения информации о государственных (муниципальных) учреждениях</a>` + "\n")
	case "medical":
		r.s(`<a class="banner" href="https://www.gosuslugi.ru/10066/1">Запись к врачу</a>` + "\n")
		r.s(`<a class="banner" href="https://minzdrav.gov.ru/">Министерство здравоохранения Российской Федерации</a>` + "\n")
		r.s(`<a class="banner" href="https://www.takzdorovo.ru/">Так здорово</a>` + "\n")
	default:
		r.s(`<a class="banner" href="https://www.gosuslugi.ru/">Портал государственных услуг</a>` + "\n")
		r.s(`<a class="banner" href="https://pos.gosuslugi.ru/">Решаем вместе</a>` + "\n")
	}
	r.s("</div>\n")
}

func (r *renderer) footerText() {
	s := r.p.site
	r.footerMap()
	r.w("© %d–2024 %s. %s, г. %s, %s, д. %d. Тел.: %s, e-mail: <a href=\"mailto:%s\">%s</a>.", r.f.founded+40, e(s.Short), r.f.zip, e(s.Town), e(r.f.street), r.f.house, r.f.phone, r.f.email, r.f.email)
	if r.f.brokenLink {
		r.w(` <a href="%s">Старая версия сайта</a>`, r.p.href(pagePath(s.Theme, "old", "index")))
	}
}

var typeWords = map[string]string{"school": "школа, образование, учащиеся, родители", "preschool": "детский сад, дошкольное образование, воспитанники",
	"medical": "больница, поликлиника, запись к врачу, медицинская помощь", "municipal": "администрация, муниципальный район, органы местного самоуправления"}

// dropdown is the nested menu under a main-menu item: the pages in its
// folder, as CMS menus show them on hover.
func (r *renderer) dropdown(href string) {
	subs := r.p.drops[href]
	if len(subs) == 0 {
		return
	}
	r.s("<ul class=\"sub\">")
	for _, m := range subs {
		r.w("<li><a href=\"%s\">%s</a></li>", m[0], m[1])
	}
	r.s("</ul>")
}

// footerMap is the map of the site many templates repeat in the footer.
func (r *renderer) footerMap() {
	r.s("<div class=\"footer-map\">")
	for _, m := range r.p.menu {
		r.w("<div class=\"col\"><a href=\"%s\">%s</a>", m[0], m[1])
		for _, d := range r.p.drops[m[0]] {
			r.w("<br><a href=\"%s\">%s</a>", d[0], d[1])
		}
		r.s("</div>")
	}
	r.s("</div>\n")
}

// bvi is the panel of the version for the visually impaired that every
// official site must have, with its link.
func (r *renderer) bvi() {
	r.s("<div class=\"bvi-link\"><a href=\"#\" onclick=\"return bviOpen();\" title=\"Версия для слабовидящих\"><img src=\"" + r.p.href("images/eye.png") + "\" alt=\"Версия для слабовидящих\"> Версия для слабовидящих</a></div>\n")
	r.s("<div class=\"bvi-panel\">Размер шрифта: <a href=\"#\">А</a><a href=\"#\">А+</a><a href=\"#\">А++</a> Цвет сайта: <a href=\"#\">Ч/Б</a><a href=\"#\">Б/Ч</a><a href=\"#\">Синий</a> Изображения: <a href=\"#\">Вкл.</a><a href=\"#\">Выкл.</a> <a href=\"#\">Обычная версия</a></div>\n")
}

// calendar is the news calendar widget of the current month.
func (r *renderer) calendar() {
	r.s("<table class=\"calendar\"><caption>Май 2024</caption><tr><th>Пн</th><th>Вт</th><th>Ср</th><th>Чт</th><th>Пт</th><th>Сб</th><th>Вс</th></tr><tr><td></td><td></td>")
	for d := 1; d <= 31; d++ {
		cls := ""
		if d == 20 {
			cls = " class=\"today\""
		}
		r.w("<td%s>%d</td>", cls, d)
		if (d+2)%7 == 0 {
			r.s("</tr><tr>")
		}
	}
	r.s("</tr></table>\n")
}

func (r *renderer) menu() [][2]string    { return r.p.menu }
func (r *renderer) submenu() [][2]string { return r.p.submenu }

// menus works out a site's main menu (the home page and the sections
// marked for it), its side menu (the pages inside a folder: the sveden
// subsections, a hospital's pages for patients) and the dropdowns under
// the main menu's items (the pages in each item's folder).
func (p *sitePlan) menus() {
	p.menu = [][2]string{{p.href(""), "Главная"}}
	p.drops = map[string][][2]string{}
	folders := map[string]string{}
	for _, pg := range p.pages {
		if pg.menu {
			h := p.href(pg.path)
			p.menu = append(p.menu, [2]string{h, e(shortTitle(pg.title))})
			folders[strings.TrimSuffix(strings.TrimSuffix(pg.path, "/"), ".html")+"/"] = h
		}
	}
	for _, pg := range p.pages {
		if pg.menu || pg.kind == kindNewsItem || pg.kind == kindNewsArchive || pg.kind == kindNewsYear || pg.kind == kindAlbum {
			continue
		}
		dir, _, ok := strings.Cut(pg.path, "/")
		if !ok || strings.TrimSuffix(pg.path, "/") == dir {
			continue
		}
		item := [2]string{p.href(pg.path), e(shortTitle(pg.title))}
		p.submenu = append(p.submenu, item)
		if h, ok := folders[dir+"/"]; ok {
			p.drops[h] = append(p.drops[h], item)
		}
	}
}

// shortTitle is how a menu names a section: the title up to its first period.
func shortTitle(t string) string {
	if i := strings.Index(t, ". "); i > 0 {
		return t[:i]
	}
	return t
}

func (r *renderer) who() person { return r.f.managers[r.rng.IntN(len(r.f.managers))] }

func (r *renderer) date() string {
	return ruDate(baseDate.AddDate(0, -r.rng.IntN(30), -r.rng.IntN(28)))
}

func (r *renderer) paras(n int) {
	for range n {
		r.w("<p>%s</p>\n", e(paragraph(r.rng, r.p.site.Type, r.who(), r.date())))
	}
}

// content writes the page's own part.
func (r *renderer) content() {
	s := r.p.site
	pg := r.pg
	if pg.kind != kindHome {
		r.w("<h1>%s</h1>\n", e(pg.title))
	}
	switch pg.kind {
	case kindHome:
		r.w("<h1>Добро пожаловать на официальный сайт %s!</h1>\n", e(s.Short))
		r.paras(2)
		r.s("<h2>Новости</h2>\n<div class=\"news-list\">\n")
		for k := 0; k < min(5, r.p.items); k++ {
			r.newsTeaser(k)
		}
		r.s("</div>\n")
	case kindText:
		r.paras(5 + r.rng.IntN(9))
		if r.rng.IntN(3) == 0 {
			r.smallTable()
		}
	case kindSvedenIndex:
		r.s("<p>Информация размещена в соответствии с требованиями к структуре официального сайта образовательной организации.</p>\n<ul>\n")
		for _, sub := range r.p.pages {
			if strings.HasPrefix(sub.path, "sveden/") {
				r.w("<li><a href=\"%s\">%s</a></li>\n", r.p.href(sub.path), e(sub.title))
			}
		}
		r.s("</ul>\n")
	case kindCommon:
		r.common()
	case kindStruct:
		r.structure()
	case kindDocs:
		r.paras(1)
	case kindEducation:
		r.education()
	case kindManagers:
		r.managers()
	case kindStaff:
		r.staff()
	case kindVacant:
		r.vacant()
	case kindContacts:
		r.contacts()
	case kindPrices:
		r.prices()
	case kindNewsIndex:
		r.s("<div class=\"news-list\">\n")
		for k := 0; k < min(10, r.p.items); k++ {
			r.newsTeaser(k)
		}
		r.s("</div>\n")
		r.archiveLinks()
	case kindNewsYear:
		r.s("<ul>\n")
		for a := pg.arg * yearArchives; a < min((pg.arg+1)*yearArchives, r.p.archives); a++ {
			first, last := a*newsPerPage, min((a+1)*newsPerPage, r.p.items)-1
			r.w("<li><a href=\"%s\">Новости с %s по %s</a></li>\n", r.p.href(r.p.pages[r.p.archivePage+a].path), itemDate(last).Format("02.01.2006"), itemDate(first).Format("02.01.2006"))
		}
		r.s("</ul>\n")
	case kindNewsArchive:
		r.s("<div class=\"news-list\">\n")
		for k := pg.arg * newsPerPage; k < min((pg.arg+1)*newsPerPage, r.p.items); k++ {
			r.newsTeaser(k)
		}
		r.s("</div>\n<div class=\"pagination\">")
		for _, a := range []int{0, pg.arg - 1, pg.arg + 1, r.p.archives - 1} {
			if a >= 0 && a < r.p.archives && a != pg.arg {
				r.w(` <a href="%s">%d</a>`, r.p.href(r.p.pages[r.p.archivePage+a].path), a+1)
			}
		}
		r.s("</div>\n")
	case kindNewsItem:
		r.newsItem()
	case kindAlbum:
		r.paras(1)
		r.s("<div class=\"gallery\">\n")
		for k := range 12 {
			r.w(`<a href="%s"><img src="%s" width="160" height="120" alt="Фото %d"></a>`+"\n", r.p.href(fmt.Sprintf("images/gallery/%d/%d.jpg", pg.arg, k)), r.p.href(fmt.Sprintf("images/gallery/%d/%d_s.jpg", pg.arg, k)), k+1)
		}
		r.s("</div>\n")
	}
	if len(pg.files) > 0 {
		r.docList()
	}
}

func (r *renderer) smallTable() {
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>№</th><th>Мероприятие</th><th>Срок</th><th>Ответственный</th></tr>\n")
	for k := range 3 + r.rng.IntN(6) {
		r.w("<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", k+1, e(strings.TrimSuffix(sentence(r.rng, r.p.site.Type, r.who(), r.date()), ".")), r.date(), e(r.who().initials()))
	}
	r.s("</table>\n")
}

// ip marks up an element with an itemprop when the site does.
func (r *renderer) ip(name string) string {
	if !r.f.microdata {
		return ""
	}
	return ` itemprop="` + name + `"`
}

func (r *renderer) common() {
	s := r.p.site
	if s.Type == "medical" {
		r.w("<p><b>Полное наименование:</b> %s</p>\n<p><b>Сокращённое наименование:</b> %s</p>\n", e(s.Name), e(s.Short))
		r.w("<p><b>Дата государственной регистрации:</b> %s, ОГРН %d</p>\n", ruDate(time.Date(r.f.founded+50, 3, 14, 0, 0, 0, 0, time.UTC)), 1023800000000+s.Index)
		r.w("<p><b>Учредитель:</b> Министерство здравоохранения области, 664003, г. Областной, ул. Карла Маркса, д. 29.</p>\n")
		r.w("<p><b>Адрес:</b> %s, г. %s, %s, д. %d</p>\n<p><b>Телефон регистратуры:</b> %s</p>\n<p><b>E-mail:</b> %s</p>\n", r.f.zip, e(s.Town), e(r.f.street), r.f.house, r.f.phone, r.f.email)
		r.paras(2)
		return
	}
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\">\n")
	row := func(label, prop, value string) {
		r.w("<tr><td>%s</td><td%s>%s</td></tr>\n", label, r.ip(prop), value)
	}
	row("Полное наименование образовательной организации", "fullName", e(s.Name))
	row("Сокращённое наименование", "shortName", e(s.Short))
	row("Дата создания образовательной организации", "regDate", ruDate(time.Date(r.f.founded, 9, 1, 0, 0, 0, 0, time.UTC)))
	r.w("<tr%s><td>Учредитель</td><td><span%s>Администрация %sского муниципального района</span>, <span%s>%s, г. %s, ул. Ленина, д. 1</span>, тел. <span%s>%s</span>, e-mail: <span%s>adm@%s.bench</span></td></tr>\n",
		r.ip("uchredLaw"), r.ip("nameUchred"), e(stem(s.Town)), r.ip("addressUchred"), r.f.zip, e(s.Town), r.ip("telUchred"), r.f.phone2, r.ip("mailUchred"), translit(s.Town))
	row("Место нахождения", "address", fmt.Sprintf("%s, Условная область, г. %s, %s, д. %d", r.f.zip, e(s.Town), e(r.f.street), r.f.house))
	row("Режим и график работы", "workTime", "понедельник — пятница с 8:00 до 17:00, суббота с 8:00 до 14:00, воскресенье — выходной")
	row("Контактные телефоны", "telephone", r.f.phone+", "+r.f.phone2)
	row("Адрес электронной почты", "email", r.f.email)
	r.s("</table>\n")
	r.paras(1)
}

func (r *renderer) structure() {
	us := units[r.p.site.Type]
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>Наименование структурного подразделения</th><th>ФИО руководителя</th><th>Должность руководителя</th><th>Место нахождения</th><th>Адрес электронной почты</th></tr>\n")
	for k, u := range us {
		m := r.f.staff[k%len(r.f.staff)]
		post := "Председатель"
		if r.p.site.Type == "medical" {
			post = "Заведующий отделением"
		}
		r.w("<tr%s><td%s>%s</td><td%s>%s</td><td%s>%s</td><td%s>г. %s, %s, д. %d</td><td%s>%s</td></tr>\n",
			r.ip("structOrgUprav"), r.ip("name"), e(u), r.ip("fio"), e(m.full()), r.ip("post"), post, r.ip("addressStr"), e(r.p.site.Town), e(r.f.street), r.f.house, r.ip("email"), r.f.email)
	}
	r.s("</table>\n")
	r.paras(1)
}

func (r *renderer) education() {
	r.paras(1)
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>Уровень образования</th><th>Наименование образовательной программы</th><th>Форма обучения</th><th>Нормативный срок обучения</th><th>Язык обучения</th></tr>\n")
	levels := [][3]string{{"Начальное общее образование", "Основная образовательная программа начального общего образования", "4 года"},
		{"Основное общее образование", "Основная образовательная программа основного общего образования", "5 лет"},
		{"Среднее общее образование", "Основная образовательная программа среднего общего образования", "2 года"}}
	if r.p.site.Type == "preschool" {
		levels = [][3]string{{"Дошкольное образование", "Образовательная программа дошкольного образования", "5 лет"}}
	}
	for _, l := range levels {
		r.w("<tr%s><td%s>%s</td><td%s>%s</td><td%s>очная</td><td%s>%s</td><td%s>русский</td></tr>\n", r.ip("eduOp"), r.ip("eduLevel"), l[0], r.ip("eduName"), l[1], r.ip("eduForm"), r.ip("learningTerm"), l[2], r.ip("languageEl"))
	}
	r.s("</table>\n")
}

func (r *renderer) managers() {
	posts := managerPosts[r.p.site.Type]
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>ФИО</th><th>Должность</th><th>Контактный телефон</th><th>Адрес электронной почты</th></tr>\n")
	for k, m := range r.f.managers {
		prop := "rucovodstvoZam"
		if k == 0 {
			prop = "rucovodstvo"
		}
		r.w("<tr%s><td%s>%s</td><td%s>%s</td><td%s>%s</td><td%s>%s</td></tr>\n", r.ip(prop), r.ip("fio"), e(m.full()), r.ip("post"), posts[k], r.ip("telephone"), r.f.phone, r.ip("email"), r.f.email)
	}
	r.s("</table>\n")
	r.paras(1)
}

func (r *renderer) staff() {
	s := r.p.site
	rng := rand.New(rand.NewPCG(seedOf(s.Index, "staff"), 3))
	if s.Type == "medical" {
		r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>ФИО</th><th>Должность</th><th>Специальность</th><th>Сведения об образовании</th><th>Сертификат (аккредитация)</th><th>Квалификационная категория</th><th>График приёма</th></tr>\n")
		for k, m := range r.f.staff {
			r.w("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s, %d г.</td><td>аккредитация по специальности «%s» до %02d.%02d.%d</td><td>%s</td><td>пн–пт %d:00–%d:00</td></tr>\n",
				e(m.full()), r.f.staffPosts[k], specialities[rng.IntN(len(specialities))], universities[3+rng.IntN(2)], 1975+rng.IntN(45),
				specialities[rng.IntN(len(specialities))], 1+rng.IntN(28), 1+rng.IntN(12), 2025+rng.IntN(5), categories[rng.IntN(len(categories))], 8+rng.IntN(3), 14+rng.IntN(5))
		}
		r.s("</table>\n")
		return
	}
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>ФИО</th><th>Должность</th><th>Преподаваемые дисциплины</th><th>Уровень образования</th><th>Квалификация</th><th>Учёная степень</th><th>Повышение квалификации</th><th>Общий стаж</th><th>Стаж по специальности</th></tr>\n")
	for k, m := range r.f.staff {
		total := 1 + rng.IntN(40)
		subj := subjects[rng.IntN(len(subjects))]
		if s.Type == "preschool" {
			subj = "—"
		}
		r.w("<tr%s><td%s>%s</td><td%s>%s</td><td%s>%s</td><td%s>высшее, %s, %d г.</td><td%s>%s</td><td%s>нет</td><td%s>«%s», %d ч., %d г.</td><td%s>%d</td><td%s>%d</td></tr>\n",
			r.ip("teachingStaff"), r.ip("fio"), e(m.full()), r.ip("post"), r.f.staffPosts[k], r.ip("teachingDiscipline"), subj, r.ip("teachingLevel"), universities[rng.IntN(3)], 1980+rng.IntN(40),
			r.ip("teachingQual"), categories[rng.IntN(len(categories))], r.ip("degree"), r.ip("profDevelopment"), "Реализация требований обновлённых ФГОС", 36+rng.IntN(3)*36, 2022+rng.IntN(3),
			r.ip("genExperience"), total, r.ip("specExperience"), max(total-rng.IntN(5), 1))
	}
	r.s("</table>\n")
}

func (r *renderer) vacant() {
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>Класс (группа)</th><th>Количество вакантных мест за счёт бюджета</th><th>Количество вакантных мест по договорам</th></tr>\n")
	for k := range 9 {
		r.w("<tr%s><td%s>%d класс</td><td%s>%d</td><td%s>0</td></tr>\n", r.ip("vacant"), r.ip("eduCourse"), k+1, r.ip("numberBMVacant"), r.rng.IntN(6), r.ip("numberPVacant"))
	}
	r.s("</table>\n")
}

func (r *renderer) contacts() {
	s := r.p.site
	r.w("<p><b>Адрес:</b> %s, Условная область, г. %s, %s, д. %d</p>\n", r.f.zip, e(s.Town), e(r.f.street), r.f.house)
	r.w("<p><b>Телефон:</b> %s<br><b>Факс:</b> %s</p>\n<p><b>E-mail:</b> <a href=\"mailto:%s\">%s</a></p>\n", r.f.phone, r.f.phone2, r.f.email, r.f.email)
	r.s("<p><b>Режим работы:</b> понедельник — пятница с 8:00 до 17:00, обед с 12:00 до 13:00</p>\n")
	r.w("<p>%s — %s.</p>\n", managerPosts[s.Type][0], e(r.f.managers[0].full()))
	r.w(`<iframe src="https://maps.example/widget/?ll=%d.%04d,%d.%04d&z=16" width="600" height="400" frameborder="0"></iframe>`+"\n", 100+s.Index%10, s.Index, 52+s.Index%5, s.Index)
	r.paras(1)
}

func (r *renderer) prices() {
	r.paras(1)
	r.s("<table class=\"tbl\" border=\"1\" cellpadding=\"4\"><tr><th>№ п/п</th><th>Наименование медицинской услуги</th><th>Цена, руб.</th></tr>\n")
	for k := range 30 + r.rng.IntN(40) {
		r.w("<tr><td>%d</td><td>Приём (осмотр, консультация) врача-специалиста по специальности «%s»</td><td>%d,00</td></tr>\n", k+1, specialities[r.rng.IntN(len(specialities))], 300+r.rng.IntN(30)*50)
	}
	r.s("</table>\n")
}

// docList lists the page's files as legacy sites do: title, type, date.
func (r *renderer) docList() {
	props := []string{"ustavDocLink", "localActStud", "localActOrder", "localActCollec", "reportEduDocLink", "priemDocLink"}
	r.s("<ul class=\"docs\">\n")
	for k, fi := range r.pg.files {
		f := r.p.files[fi]
		ext, size := "PDF", 120+int(seedOf(f.path)%3900)
		if f.docx {
			ext = "DOCX"
		}
		prop := ""
		if r.pg.kind == kindDocs && r.p.site.Type == "school" && r.pg.path == pagePath(r.p.site.Theme, "sveden", "document") && k < len(props) {
			prop = r.ip(props[k])
		}
		r.w("<li><a href=\"%s\"%s>%s</a> <span class=\"size\">(%s, %d КБ)</span> от %s</li>\n", r.p.href(f.path), prop, e(f.title), ext, size, f.date)
	}
	r.s("</ul>\n")
}

// newsTeaser is item k in a list: date, title with its link, the lead.
func (r *renderer) newsTeaser(k int) {
	pg := r.p.pages[r.p.itemPage+k]
	r.w("<div class=\"news-item\"><span class=\"news-date\">%s</span> <a href=\"%s\">%s</a><p>%s</p></div>\n",
		itemDate(k).Format("02.01.2006"), r.p.href(pg.path), e(pg.title), e(r.p.lead(k)))
}

// lead is the first sentence of item k, which the lists show.
func (p *sitePlan) lead(k int) string {
	rng := rand.New(rand.NewPCG(seedOf(p.site.Index, "lead", k), 5))
	return sentence(rng, p.site.Type, p.facts.managers[0], ruDate(itemDate(k)))
}

func (r *renderer) archiveLinks() {
	if r.p.archives == 0 {
		return
	}
	r.s("<div class=\"pagination\">Архив:")
	if r.p.years > 0 {
		for y := range r.p.years {
			r.w(` <a href="%s">%d</a>`, r.p.href(r.p.pages[r.p.yearPage+y].path), y+1)
		}
	} else {
		for a := range r.p.archives {
			r.w(` <a href="%s">%d</a>`, r.p.href(r.p.pages[r.p.archivePage+a].path), a+1)
		}
	}
	r.s("</div>\n")
}

func (r *renderer) newsItem() {
	k := r.pg.arg
	r.w("<div class=\"news-date\">%s</div>\n<p>%s</p>\n", ruDate(itemDate(k)), e(r.p.lead(k)))
	r.paras(3 + r.rng.IntN(9))
	if k%3 == 0 {
		for j := range 1 + r.rng.IntN(4) {
			r.w(`<img src="%s" width="400" alt="%s">`+"\n", r.p.href(fmt.Sprintf("images/news/%d_%d.jpg", k, j)), e(r.pg.title))
		}
	}
	r.s("<div class=\"news-nav\">")
	if k > 0 {
		r.w(`<a href="%s">« Предыдущая новость</a> `, r.p.href(r.p.pages[r.p.itemPage+k-1].path))
	}
	if k+1 < r.p.items {
		r.w(`<a href="%s">Следующая новость »</a> `, r.p.href(r.p.pages[r.p.itemPage+k+1].path))
	}
	back := r.p.href(pagePath(r.p.site.Theme, "", newsWord(r.p.site.Theme)))
	if r.p.archives > 0 {
		back = r.p.href(r.p.pages[r.p.archivePage+k/newsPerPage].path)
	}
	r.w(`<a href="%s">Все новости</a></div>`+"\n", back)
}
