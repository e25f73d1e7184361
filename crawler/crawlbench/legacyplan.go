package crawlbench

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"time"
)

// pageKind is what a page of a legacy site shows.
type pageKind uint8

const (
	kindHome        pageKind = iota
	kindText                 // prose, perhaps with a small table and files
	kindSvedenIndex          // the list of the mandated subsections
	kindCommon               // «Основные сведения» with microdata
	kindStruct               // units and governing bodies
	kindDocs                 // a list of documents
	kindEducation            // programmes
	kindManagers             // the head and deputies
	kindStaff                // teachers or doctors, a large table
	kindVacant               // vacancies for admission
	kindContacts             //
	kindPrices               // paid services and their prices
	kindNewsIndex            // the news front page
	kindNewsArchive          // a page of the news archive
	kindNewsYear             // a year of the archive, linking its pages
	kindNewsItem             // one news item
	kindAlbum                // a photo album, the filler of odd page counts
)

// legacyPage is one HTML page of a site.
type legacyPage struct {
	path  string // under the site's prefix, without the leading slash
	title string
	kind  pageKind
	arg   int   // the news item, archive page or year
	files []int // files linked from the page
	menu  bool  // in the main menu
	fail  bool  // always answered 500
	slow  bool  // answered after ten times the latency
}

// legacyFile is one attachment of a site.
type legacyFile struct {
	path  string // under the site's prefix, unescaped
	title string
	docx  bool
	date  string // dd.mm.yyyy
}

// sitePlan is a site's pages and files, derived from its LegacySite alone.
type sitePlan struct {
	site  *LegacySite
	pages []legacyPage
	files []legacyFile
	// the news: items (newest first), archive pages of newsPerPage items,
	// and year pages when the archive is long
	items, archives, years int
	itemPage, archivePage  int // index of the first item and archive page
	yearPage               int
	index                  map[string]int // path → page (≥ 0) or ^file (< 0)
	facts                  *siteFacts
	menu, submenu          [][2]string
	drops                  map[string][][2]string
}

// newsPerPage is how many items one archive page lists; yearArchives is
// how many archive pages one year page links.
const (
	newsPerPage  = 20
	yearArchives = 40
)

// section is a fixed page of a site type.
type section struct {
	dir   string // "sveden" or ""
	slug  string
	title string
	kind  pageKind
	menu  bool
	files []string
}

var schoolSections = []section{
	{"", "sveden", "Сведения об образовательной организации", kindSvedenIndex, true, nil},
	{"sveden", "common", "Основные сведения", kindCommon, false, []string{"Выписка из реестра лицензий"}},
	{"sveden", "struct", "Структура и органы управления образовательной организацией", kindStruct, false, []string{"Положение об управляющем совете"}},
	{"sveden", "document", "Документы", kindDocs, false, []string{"Устав", "Правила внутреннего распорядка обучающихся", "Правила внутреннего трудового распорядка", "Коллективный договор", "Отчёт о результатах самообследования", "Правила приёма обучающихся"}},
	{"sveden", "education", "Образование", kindEducation, false, []string{"Учебный план начального общего образования", "Календарный учебный график", "Рабочая программа воспитания"}},
	{"sveden", "eduStandarts", "Образовательные стандарты и требования", kindText, false, nil},
	{"sveden", "managers", "Руководство", kindManagers, false, nil},
	{"sveden", "employees", "Педагогический состав", kindStaff, false, nil},
	{"sveden", "objects", "Материально-техническое обеспечение и оснащённость образовательного процесса. Доступная среда", kindText, false, nil},
	{"sveden", "paid_edu", "Платные образовательные услуги", kindText, false, []string{"Положение об оказании платных образовательных услуг"}},
	{"sveden", "budget", "Финансово-хозяйственная деятельность", kindDocs, false, []string{"План финансово-хозяйственной деятельности", "Отчёт о выполнении муниципального задания"}},
	{"sveden", "vacant", "Вакантные места для приёма (перевода) обучающихся", kindVacant, false, nil},
	{"sveden", "grants", "Стипендии и меры поддержки обучающихся", kindText, false, nil},
	{"sveden", "inter", "Международное сотрудничество", kindText, false, nil},
	{"sveden", "catering", "Организация питания в образовательной организации", kindDocs, false, []string{"Примерное двухнедельное меню"}},
	{"", "contacts", "Контакты", kindContacts, true, nil},
	{"", "roditelyam", "Родителям", kindText, true, nil},
	{"", "priem", "Приём в первый класс", kindText, true, []string{"Приказ о приёме в первый класс"}},
	{"", "gia", "Государственная итоговая аттестация", kindText, true, nil},
	{"", "bezopasnost", "Безопасность", kindText, true, nil},
	{"", "antikorrupciya", "Противодействие коррупции", kindDocs, true, []string{"План мероприятий по противодействию коррупции"}},
	{"", "history", "История школы", kindText, true, nil},
}

var preschoolSections = []section{
	{"", "sveden", "Сведения об образовательной организации", kindSvedenIndex, true, nil},
	{"sveden", "common", "Основные сведения", kindCommon, false, []string{"Выписка из реестра лицензий"}},
	{"sveden", "struct", "Структура и органы управления образовательной организацией", kindStruct, false, nil},
	{"sveden", "document", "Документы", kindDocs, false, []string{"Устав", "Правила приёма воспитанников", "Правила внутреннего распорядка воспитанников", "Отчёт о результатах самообследования"}},
	{"sveden", "education", "Образование", kindEducation, false, []string{"Образовательная программа дошкольного образования", "Календарный учебный график"}},
	{"sveden", "managers", "Руководство", kindManagers, false, nil},
	{"sveden", "employees", "Педагогический состав", kindStaff, false, nil},
	{"sveden", "objects", "Материально-техническое обеспечение и оснащённость образовательного процесса. Доступная среда", kindText, false, nil},
	{"sveden", "paid_edu", "Платные образовательные услуги", kindText, false, nil},
	{"sveden", "budget", "Финансово-хозяйственная деятельность", kindDocs, false, []string{"План финансово-хозяйственной деятельности"}},
	{"sveden", "vacant", "Вакантные места для приёма (перевода) обучающихся", kindVacant, false, nil},
	{"sveden", "catering", "Организация питания в образовательной организации", kindDocs, false, []string{"Десятидневное меню"}},
	{"", "gruppy", "Наши группы", kindText, true, nil},
	{"", "roditelyam", "Родителям", kindText, true, nil},
	{"", "contacts", "Контакты", kindContacts, true, nil},
	{"", "antikorrupciya", "Противодействие коррупции", kindDocs, true, []string{"Положение о противодействии коррупции"}},
}

var medicalSections = []section{
	{"", "about", "О медицинской организации", kindCommon, true, nil},
	{"about", "license", "Лицензия на медицинскую деятельность", kindDocs, false, []string{"Выписка из реестра лицензий на медицинскую деятельность"}},
	{"", "structure", "Структура и органы управления", kindStruct, true, nil},
	{"", "doctors", "Медицинские работники", kindStaff, true, nil},
	{"", "rukovodstvo", "Руководство", kindManagers, true, nil},
	{"patients", "oms", "Программа государственных гарантий бесплатного оказания медицинской помощи", kindDocs, false, []string{"Территориальная программа государственных гарантий"}},
	{"patients", "rights", "Права и обязанности граждан в сфере охраны здоровья", kindText, false, nil},
	{"patients", "hospitalization", "Правила и сроки госпитализации", kindText, false, nil},
	{"patients", "zapis", "Запись на приём к врачу", kindText, false, nil},
	{"", "patients", "Пациентам", kindText, true, nil},
	{"", "paid", "Платные медицинские услуги", kindPrices, true, []string{"Прейскурант на платные медицинские услуги", "Положение о порядке оказания платных медицинских услуг"}},
	{"", "controlling", "Контролирующие органы", kindText, true, nil},
	{"", "vacancies", "Вакансии", kindText, true, nil},
	{"", "contacts", "Контакты", kindContacts, true, nil},
	{"", "anticorruption", "Противодействие коррупции", kindDocs, true, []string{"Антикоррупционная политика учреждения", "Кодекс этики и служебного поведения"}},
	{"", "documents", "Документы", kindDocs, true, []string{"Устав", "Правила внутреннего распорядка для пациентов"}},
}

var municipalSections = []section{
	{"", "o-rayone", "О районе", kindText, true, nil},
	{"", "administratsiya", "Администрация", kindManagers, true, nil},
	{"administratsiya", "struktura", "Структура администрации", kindStruct, false, nil},
	{"", "dokumenty", "Документы", kindDocs, true, []string{"Устав муниципального образования", "Постановление об утверждении муниципальной программы", "Решение Думы о бюджете на 2024 год", "Распоряжение о проведении публичных слушаний", "Постановление об утверждении административного регламента"}},
	{"", "byudzhet", "Бюджет", kindDocs, true, []string{"Бюджет для граждан", "Отчёт об исполнении бюджета"}},
	{"", "municipalnye-uslugi", "Муниципальные услуги", kindText, true, nil},
	{"", "munitsipalnaya-sluzhba", "Муниципальная служба", kindText, true, nil},
	{"", "obrashcheniya-grazhdan", "Обращения граждан", kindText, true, nil},
	{"", "protivodeystvie-korruptsii", "Противодействие коррупции", kindDocs, true, []string{"Доклад о противодействии коррупции"}},
	{"", "kontakty", "Контакты", kindContacts, true, nil},
	{"", "gradostroitelstvo", "Градостроительство", kindText, true, nil},
}

func sectionsFor(typ string) []section {
	switch typ {
	case "school":
		return schoolSections
	case "preschool":
		return preschoolSections
	case "medical":
		return medicalSections
	}
	return municipalSections
}

// newsWord is the folder of a site's news, by theme.
func newsWord(t Theme) string {
	if t == ThemeWordPress {
		return "novosti"
	}
	return "news"
}

// pagePath is where a theme puts a page: dir/slug with the theme's suffix.
func pagePath(t Theme, dir, slug string) string {
	p := slug
	if dir != "" {
		p = dir + "/" + slug
	}
	switch t {
	case ThemeTable:
		return p + ".html"
	case ThemeJoomla:
		return p
	}
	return p + "/"
}

// filePath is where a theme puts an uploaded file.
func filePath(t Theme, n int, name, ext string) string {
	switch t {
	case ThemeTable:
		return "files/" + name + ext
	case ThemeBitrix:
		return fmt.Sprintf("upload/iblock/%03x/%s%s", (n*2654435761)%4096, name, ext)
	case ThemeWordPress:
		return fmt.Sprintf("wp-content/uploads/%d/%02d/%s%s", 2019+n%6, 1+n%12, name, ext)
	case ThemeJoomla:
		return "images/docs/" + name + ext
	}
	return "files/" + name + ext
}

// baseDate is the day the region's newest news is dated.
var baseDate = time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)

// itemDate is the date of news item k (0 the newest).
func itemDate(k int) time.Time { return baseDate.Add(-time.Duration(k) * 13 * time.Hour) }

// newsCounts splits n news pages into items, archive pages and year pages.
func newsCounts(n int) (items, archives, years int) {
	for m := n; m > 0; m-- {
		a := (m + newsPerPage - 1) / newsPerPage
		y := 0
		if a > yearArchives {
			y = (a + yearArchives - 1) / yearArchives
		}
		if m+a+y <= n {
			return m, a, y
		}
	}
	return 0, 0, 0
}

// plan derives a site's pages and files from its LegacySite. The first
// page is the home page; every page is reachable from it.
func (s *LegacySite) plan() *sitePlan {
	p := &sitePlan{site: s, index: map[string]int{}, facts: s.facts()}
	add := func(pg legacyPage) int {
		p.pages = append(p.pages, pg)
		return len(p.pages) - 1
	}
	addFile := func(title string, n int) int {
		name := translit(title)
		if len(name) > 40 {
			name = strings.TrimRight(name[:40], "-")
		}
		if n%5 == 0 { // many files keep their Cyrillic names
			name = strings.ReplaceAll(title, " ", "_")
		}
		ext := ".pdf"
		docx := n%3 == 1
		if docx {
			ext = ".docx"
		}
		d := itemDate(n * 7)
		p.files = append(p.files, legacyFile{path: filePath(s.Theme, n, fmt.Sprintf("%s_%d", name, n), ext), title: title, docx: docx, date: d.Format("02.01.2006")})
		return len(p.files) - 1
	}
	add(legacyPage{path: "", title: "Главная", kind: kindHome})
	secs := sectionsFor(s.Type)
	// a site too small for all its sections keeps the first ones and
	// three pages of news
	room := max(s.Pages-1, 0)
	if len(secs) > room-3 {
		secs = secs[:max(room-3, 0)]
	}
	for _, sec := range secs {
		pg := legacyPage{path: pagePath(s.Theme, sec.dir, sec.slug), title: sec.title, kind: sec.kind, menu: sec.menu}
		for _, f := range sec.files {
			pg.files = append(pg.files, addFile(f, len(p.files)))
		}
		add(pg)
	}
	news := s.Pages - len(p.pages)
	if news > 0 {
		nw := newsWord(s.Theme)
		add(legacyPage{path: pagePath(s.Theme, "", nw), title: "Новости", kind: kindNewsIndex, menu: true})
		news--
	}
	p.items, p.archives, p.years = newsCounts(news)
	nw := newsWord(s.Theme)
	p.yearPage = len(p.pages)
	for y := range p.years {
		add(legacyPage{path: pagePath(s.Theme, nw, fmt.Sprintf("god-%d", y+1)), title: fmt.Sprintf("Архив новостей, часть %d", y+1), kind: kindNewsYear, arg: y})
	}
	p.archivePage = len(p.pages)
	for a := range p.archives {
		add(legacyPage{path: pagePath(s.Theme, nw, fmt.Sprintf("page-%d", a+1)), title: fmt.Sprintf("Новости, страница %d", a+1), kind: kindNewsArchive, arg: a})
	}
	p.itemPage = len(p.pages)
	for k := range p.items {
		h := hash(fmt.Sprint(s.Index, "/news/", k)) % 1000
		pg := legacyPage{path: pagePath(s.Theme, nw, fmt.Sprint(100000+p.items-k)), title: newsTitle(s, k), kind: kindNewsItem, arg: k,
			fail: h < 2, slow: h >= 2 && h < 5}
		if k%8 == 3 {
			pg.files = append(pg.files, addFile(newsFileTitle(s, k), len(p.files)))
		}
		add(pg)
	}
	for a := 0; len(p.pages) < s.Pages; a++ {
		add(legacyPage{path: pagePath(s.Theme, "fotogalereya", fmt.Sprintf("albom-%d", a+1)), title: fmt.Sprintf("Фотоальбом «%s»", albumTitles[a%len(albumTitles)]), kind: kindAlbum, arg: a, menu: a == 0})
	}
	for i, pg := range p.pages {
		p.index[pg.path] = i
	}
	for i, f := range p.files {
		p.index[f.path] = ^i
	}
	p.menus()
	return p
}

var albumTitles = []string{"Последний звонок", "День знаний", "Новогодний праздник", "Спартакиада", "Субботник", "Выпускной", "День Победы", "Масленица"}

// href is the link to a path of the site, escaped as a browser would send it.
func (p *sitePlan) href(path string) string {
	u := url.URL{Path: p.site.Prefix + path}
	return u.EscapedPath()
}

// Expected are the counts a complete crawl of the site finds: its pages
// answered 200 and the files they link.
type Expected struct {
	Pages int `json:"pages"`
	Files int `json:"files"`
}

// Expected is what a complete crawl of the site finds (nothing for a
// site whose host is down or broken).
func (s *LegacySite) Expected() Expected {
	if s.Trouble == TroubleDown || s.Trouble == TroubleBroken {
		return Expected{}
	}
	p := s.plan()
	var e Expected
	linked := map[int]bool{}
	for _, pg := range p.pages {
		if pg.fail {
			continue
		}
		e.Pages++
		for _, f := range pg.files {
			linked[f] = true
		}
	}
	e.Files = len(linked)
	return e
}

func seedOf(parts ...any) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return h.Sum64()
}
