package records

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func parse(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func extractHTML(t testing.TB, body string) []Record {
	t.Helper()
	return Extract("https://school.example/sveden/page.html", parse(t, "<html><body>"+body+"</body></html>"), Options{CrawlDate: "2024-03-15"})
}

func ofType(recs []Record, typ string) []Record {
	var out []Record
	for _, r := range recs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// wantFields checks that r has every field of want with that value.
func wantFields(t *testing.T, r Record, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if r.Fields[k] != v {
			t.Errorf("%s record field %s = %q, want %q (record %v)", r.Type, k, r.Fields[k], v, r.Fields)
		}
	}
}

func TestFindDate(t *testing.T) {
	cases := []struct {
		in, crawl, want string
	}{
		{"Опубликовано 12 марта 2023 г.", "", "2023-03-12"},
		{"12.03.2023", "", "2023-03-12"},
		{"от 5.3.2021 № 12", "", "2021-03-05"},
		{"12.03.23", "2024-01-01", "2023-03-12"},
		{"2023-03-12T10:00", "", "2023-03-12"},
		{"1 мая 2024 года", "", "2024-05-01"},
		{"3 сентября 2022", "", "2022-09-03"},
		{"28 дек. 2021", "", "2021-12-28"},
		{"Вчера, 16:05", "2024-03-15", "2024-03-14"},
		{"сегодня в 10:42", "2024-03-15", "2024-03-15"},
		{"позавчера", "2024-03-01", "2024-02-28"},
		{"12 марта", "2024-03-15", "2024-03-12"},
		{"20 марта", "2024-03-15", "2023-03-20"}, // no year, after the crawl: last year
		{"12 марта", "", ""},                     // no year and no crawl date
		{"вчера", "", ""},
		{"31.02.2023", "", ""},
		{"15 человек", "", ""},
		{"тел. 20-30-40", "", ""},
		{"марта 2023", "", ""},
	}
	for _, c := range cases {
		got, _, _, ok := FindDate(c.in, c.crawl)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("FindDate(%q, %q) = %q %v, want %q", c.in, c.crawl, got, ok, c.want)
		}
	}
	if d, ok := ParseDate("Дата: 01.09.2023", ""); !ok || d != "2023-09-01" {
		t.Errorf("ParseDate of a date-only text: %q %v", d, ok)
	}
	if _, ok := ParseDate("Приказ от 01.09.2023 № 45 об утверждении правил", ""); ok {
		t.Errorf("ParseDate accepted a title with a date as a date")
	}
}

func TestCanonicalLegacySpellings(t *testing.T) {
	cases := map[string]string{
		"RegDate": "regDate", "regdate": "regDate", "Name": "name", "Copy": "copy", "TeachingStaff": "teachingStaff",
		"shrotName": "shortName", "founderInfo": "uchredLaw", "nameFounder": "nameUchred", "E-mail": "email",
		"paidEduDocLink": "paidEdu", "educationSchedule": "educationShedule", "genExperience": "genExperience",
	}
	for in, want := range cases {
		if got, ok := Canonical(in); !ok || got != want {
			t.Errorf("Canonical(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := Canonical("headline"); ok {
		t.Errorf("schema.org headline accepted as a dictionary name")
	}
}

func TestMicrodataGroupedMainTag(t *testing.T) {
	recs := extractHTML(t, `
<a itemprop="Copy" href="/special">Версия для слабовидящих</a>
<p>Дата создания: <span itemprop="RegDate">01.09.1968</span></p>
<table>
<tr itemprop="uchredLaw"><td><div><span itemprop="nameUchred">Администрация района</span></div></td><td itemprop="mailUchred">adm@r.example</td>
  <td><a itemprop="websiteUchred" href="https://r.example/">сайт</a></td></tr>
<tr itemprop="UchredLaw"><td itemprop="NameUchred">Управление образования</td><td itemprop="mailUchred">uo@r.example</td></tr>
</table>
<span itemprop="nameUchred">вне главного тега</span>
<a itemprop="addRef" href="/sveden/common-2.html">продолжение</a>`)
	founders := ofType(recs, "uchredLaw")
	if len(founders) != 2 {
		t.Fatalf("founders: %d records, want 2: %v", len(founders), recs)
	}
	wantFields(t, founders[0], map[string]string{"nameUchred": "Администрация района", "mailUchred": "adm@r.example", "websiteUchred": "https://r.example/"})
	wantFields(t, founders[1], map[string]string{"nameUchred": "Управление образования"})
	if !strings.Contains(founders[1].Source, "tr:nth-of-type(2)") || founders[0].Method != "microdata" {
		t.Errorf("source of the second founder = %q, method %q", founders[1].Source, founders[0].Method)
	}
	sv := ofType(recs, "sveden")
	if len(sv) != 1 {
		t.Fatalf("sveden records: %v", sv)
	}
	wantFields(t, sv[0], map[string]string{"regDate": "01.09.1968", "nameUchred": "вне главного тега"})
	if _, ok := sv[0].Fields["copy"]; ok {
		t.Errorf("copy link kept: %v", sv[0].Fields)
	}
	if got := ContinuationLinks(recs); !slices.Equal(got, []string{"https://school.example/sveden/common-2.html"}) {
		t.Errorf("ContinuationLinks = %v", got)
	}
}

func TestMicrodataTableMainTagSplitsRows(t *testing.T) {
	recs := extractHTML(t, `<div itemscope itemtype="https://schema.org/Article"><h2 itemprop="name">Педагоги</h2>
<table itemprop="teachingStaff">
<tr><th>ФИО</th><th>Должность</th></tr>
<tr><td itemprop="fio">Никитина Вера Алексеевна</td><td itemprop="post">учитель</td></tr>
<tr><td itemprop="fio">Осипов Артём Романович</td><td itemprop="post">учитель физкультуры</td></tr>
</table></div>`)
	ts := ofType(recs, "teachingStaff")
	if len(ts) != 2 {
		t.Fatalf("teachingStaff records: %v", recs)
	}
	wantFields(t, ts[1], map[string]string{"fio": "Осипов Артём Романович", "post": "учитель физкультуры"})
	if len(ofType(recs, "sveden")) != 0 {
		t.Errorf("schema.org itemprop=name taken as the education markup: %v", recs)
	}
	if len(ofType(recs, "staff")) != 0 {
		t.Errorf("a microdata table also read as a plain staff table: %v", recs)
	}
}

func TestMicrodataDocumentLinks(t *testing.T) {
	recs := extractHTML(t, `<ul><li><a itemprop="ustavDocLink" href="/docs/ustav.pdf">Устав (2021)</a></li>
<li itemprop="licenseDocLink"><a href="/docs/lic.pdf">Скачать</a></li></ul>
<p itemprop="prescriptionDocLink">Предписаний нет</p>`)
	docs := ofType(recs, "document")
	if len(docs) != 3 {
		t.Fatalf("documents: %v", recs)
	}
	wantFields(t, docs[0], map[string]string{"url": "https://school.example/docs/ustav.pdf", "kind": "ustavDocLink", "itemprop": "ustavDocLink", "filetype": "pdf"})
	wantFields(t, docs[1], map[string]string{"url": "https://school.example/docs/lic.pdf", "kind": "licenseDocLink"})
	wantFields(t, docs[2], map[string]string{"kind": "prescriptionDocLink", "title": "Предписаний нет", "url": ""})
}

func TestStaffTable(t *testing.T) {
	recs := extractHTML(t, `<table><tr><td>
<table border="1">
<tr><td><b>№</b></td><td><b>Ф.И.О.</b></td><td><b>Должность</b></td><td><b>Преподаваемые предметы</b></td><td><b>Стаж</b></td><td><b>Телефон</b></td></tr>
<tr><td colspan="6">Администрация</td></tr>
<tr><td>1</td><td>Воробьёва<br>Антонина Григорьевна</td><td>директор</td><td>история<br>обществознание</td><td>34 года</td><td>2-14-07</td></tr>
<tr><td>2</td><td>Тарасов Михаил Ефимович</td><td>учитель</td><td>технология</td><td>38 лет</td><td>—</td></tr>
</table></td></tr></table>`)
	st := ofType(recs, "staff")
	if len(st) != 2 {
		t.Fatalf("staff: %v", recs)
	}
	wantFields(t, st[0], map[string]string{"fio": "Воробьёва Антонина Григорьевна", "post": "директор", "discipline": "история; обществознание", "experience": "34 года", "phone": "21407"})
	if _, ok := st[1].Fields["phone"]; ok {
		t.Errorf("a dash kept as a phone: %v", st[1].Fields)
	}
	if st[0].Method != "table" || !strings.Contains(st[0].Source, "tr:nth-of-type(3)") {
		t.Errorf("method %q source %q", st[0].Method, st[0].Source)
	}
}

func TestStaffTableNotPeople(t *testing.T) {
	recs := extractHTML(t, `<table><tr><th>Предмет</th><th>Количество часов</th></tr>
<tr><td>Математика</td><td>5</td></tr><tr><td>Физика</td><td>2</td></tr></table>`)
	if st := ofType(recs, "staff"); len(st) != 0 {
		t.Errorf("a timetable read as staff: %v", st)
	}
}

func TestStaffCards(t *testing.T) {
	recs := extractHTML(t, `<div class="person"><h3>Фролова Анна Вячеславовна</h3><p>педагог дополнительного образования</p>
<p><strong>Объединение:</strong> «Бисероплетение»</p><p><b>Категория:</b> высшая</p><p>Стаж работы: 21 год</p></div>
<div class="person"><p><b>Главный врач</b><br>Сафронов Виктор Геннадьевич<br>Тел.: 8 (34241) 2-20-15<br>E-mail: glav@crb.example</p></div>
<p>Ответственный: Савельева Алина Маратовна, начальник общего отдела.</p>`)
	st := ofType(recs, "staff")
	if len(st) != 3 {
		t.Fatalf("staff cards: %v", recs)
	}
	wantFields(t, st[0], map[string]string{"fio": "Фролова Анна Вячеславовна", "post": "педагог дополнительного образования", "category": "высшая", "experience": "21 год"})
	wantFields(t, st[1], map[string]string{"fio": "Сафронов Виктор Геннадьевич", "post": "Главный врач", "phone": "+73424122015", "email": "glav@crb.example"})
	wantFields(t, st[2], map[string]string{"fio": "Савельева Алина Маратовна", "post": "начальник общего отдела"})
	if st[0].Method != "card" || !strings.HasSuffix(st[0].Source, "div.person:nth-of-type(1)") {
		t.Errorf("method %q source %q", st[0].Method, st[0].Source)
	}
	if c := ofType(recs, "contact"); len(c) != 0 {
		t.Errorf("a person's phone also read as the page's contact: %v", c)
	}
}

func TestIsPersonName(t *testing.T) {
	for s, want := range map[string]bool{
		"Иванова Мария Петровна": true, "Салтыков-Щедрин Михаил Евграфович": true, "Иванов И.И.": true,
		"И. И. Иванов": true, "Мамедов Руслан Эльдарович": true, "Ахмедов Тимур Русланович": true,
		"Русский язык, литература": false, "Главный врач": false, "Средняя общеобразовательная школа": false,
		"ул. Ленина Дом Культуры": false,
	} {
		if IsPersonName(s) != want {
			t.Errorf("IsPersonName(%q) = %v", s, !want)
		}
	}
}

func TestPhones(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Тел.: 8 (3952) 20-30-40", []string{"+73952203040"}},
		{"+7 (495) 561-44-20, факс +7 495 561 44 21", []string{"+74955614420", "+74955614421"}},
		{"8-800-100-00-00", []string{"+78001000000"}},
		{"(47238) 5-11-37", []string{"+74723851137"}},
		{"телефон 2-14-07", []string{"21407"}},
		{"приказ от 12.03.2024 № 45-12-01", nil},
		{"р/с 40102810145370000026", nil},
		{"20-30-40", nil}, // local number without a label
	}
	for _, c := range cases {
		if got := findPhones(c.in, false); !slices.Equal(got, c.want) {
			t.Errorf("findPhones(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Two numbers parted by a single character were read as one: the
// pattern's «not a digit» after the first number took the character the
// second needed before it, and the second was lost.
func TestPhonesPartedByOneCharacter(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Тел.: 8-495-123-45-67,8-495-123-45-68", []string{"+74951234567", "+74951234568"}},
		{"8-3952-20-30-40 8-3952-20-30-41", []string{"+73952203040", "+73952203041"}},
		{"+7(495)561-44-20/+7(495)561-44-21", []string{"+74955614420", "+74955614421"}},
		{"Телефоны: 20-30-40,20-30-41", []string{"203040", "203041"}},
		{"тел. 2-30-40 2-30-41", []string{"23040", "23041"}},
		{"тел. 2-30-40.2-30-41", nil}, // a point is never next to a local number
	} {
		if got := findPhones(c.in, false); !slices.Equal(got, c.want) {
			t.Errorf("findPhones(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestContacts(t *testing.T) {
	recs := extractHTML(t, `<div class="content">
<p><strong>Юридический адрес:</strong> 624250, Свердловская обл., г. Заречный, ул. Мира, д. 29</p>
<p>Телефон приёмной: 8 (34377) 7-21-60<br>Факс: 8 (34377) 7-21-61</p>
<p>Адрес электронной почты: <a href="mailto:g5@zar.example">g5@zar.example</a></p>
<p>Режим работы:</p><p>Понедельник – пятница: 8.00 – 17.00<br>Суббота, воскресенье: выходной</p>
</div>
<div class="footer">303000, Орловская обл., г. Мценск, ул. Тургенева, 5 · Справочная: 8 (48646) 2-11-00 · info@mc.example</div>`)
	c := ofType(recs, "contact")
	if len(c) != 2 {
		t.Fatalf("contacts: %v", recs)
	}
	wantFields(t, c[0], map[string]string{
		"address":  "624250, Свердловская обл., г. Заречный, ул. Мира, д. 29",
		"phone":    "+73437772160; +73437772161",
		"email":    "g5@zar.example",
		"worktime": "Понедельник – пятница: 8.00 – 17.00; Суббота, воскресенье: выходной",
	})
	wantFields(t, c[1], map[string]string{"address": "303000, Орловская обл., г. Мценск, ул. Тургенева, 5", "phone": "+74864621100", "email": "info@mc.example"})
	if c[1].Method != "pattern" || !strings.Contains(c[1].Source, "div.footer") {
		t.Errorf("method %q source %q", c[1].Method, c[1].Source)
	}
}

func TestDocumentKinds(t *testing.T) {
	cases := map[string]string{
		"Устав МБОУ «СОШ № 7»":                                  "ustavDocLink",
		"Изменения в устав от 15.03.2022":                       "ustavDocLink",
		"Уставной фонд и установленные нормы":                   "",
		"Выписка из реестра лицензий":                           "licenseDocLink",
		"Свидетельство о государственной аккредитации":          "accreditationDocLink",
		"Отчёт о результатах самообследования за 2023 год":      "reportEduDocLink",
		"План финансово-хозяйственной деятельности на 2024 год": "finPlanDocLink",
		"ПФХД на 2024 год":                                      "finPlanDocLink",
		"Предписание Роспотребнадзора и отчёт об исполнении":    "prescriptionDocLink",
		"Правила приёма граждан на обучение":                    "priemDocLink",
		"Положение о порядке приема, перевода и отчисления":     "priemDocLink",
		"Правила внутреннего распорядка обучающихся":            "localActStud",
		"Правила внутреннего трудового распорядка":              "localActOrder",
		"Коллективный договор на 2022–2025 годы":                "localActCollec",
		"Положение о текущем контроле успеваемости":             "tekKontrolDocLink",
		"Прейскурант цен на платные медицинские услуги":         "priceList",
		"Постановление от 14.03.2024 № 112":                     "municipalAct",
		"Приказ № 45 о зачислении":                              "order",
		"Положение о школьной форме":                            "regulation",
		"Фотоотчёт": "",
	}
	for title, want := range cases {
		if got := DocumentKind(title); got != want {
			t.Errorf("DocumentKind(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestDocumentList(t *testing.T) {
	recs := extractHTML(t, `<ul>
<li><a href="/d/ustav.pdf">Устав школы</a> (pdf, 2,4 Мб)</li>
<li>Отчёт о результатах самообследования за 2023 год — <a href="/d/so-2023.pdf">скачать</a></li>
</ul>
<table><tr><td>Лицензия на осуществление образовательной деятельности</td><td>21.07.2023</td><td><a href="/upload/iblock/a1f/lic.pdf">Скачать</a> (PDF, 412 КБ)</td></tr></table>
<p>Лицензия: <a href="/d/lic-p1.jpg">страница 1</a></p>
<p><a href="/gallery/photo1.jpg">Фото с праздника</a> <a href="/file/card?id=77">Публичный доклад за 2023 год</a></p>`)
	docs := ofType(recs, "document")
	if len(docs) != 5 || slices.ContainsFunc(docs, func(r Record) bool { return strings.Contains(r.Fields["url"], "photo1") }) {
		t.Fatalf("documents: %v", docs)
	}
	wantFields(t, docs[0], map[string]string{"title": "Устав школы", "kind": "ustavDocLink", "filetype": "pdf", "url": "https://school.example/d/ustav.pdf"})
	wantFields(t, docs[1], map[string]string{"title": "Отчёт о результатах самообследования за 2023 год", "kind": "reportEduDocLink"})
	wantFields(t, docs[2], map[string]string{"title": "Лицензия на осуществление образовательной деятельности", "date": "2023-07-21", "kind": "licenseDocLink"})
	wantFields(t, docs[3], map[string]string{"filetype": "jpg", "kind": "licenseDocLink"})
	wantFields(t, docs[4], map[string]string{"url": "https://school.example/file/card?id=77", "kind": "publicReport", "filetype": ""})
}

func TestNewsList(t *testing.T) {
	recs := extractHTML(t, `<div class="news">
<div class="item"><span class="date">Вчера</span> <a href="/news/3">Конференция лицеистов</a></div>
<div class="item"><h3><a href="/news/2">Приём в 1 класс</a></h3><p>Приходите 16 марта в 11:00.</p><span>05.03.2024</span></div>
<div class="item"><a href="/news/1">Концерт к 8 марта</a><time datetime="2024-03-07">7 марта</time></div>
</div>
<ul><li>01.09.2023 <a href="/docs/prikaz.pdf">Приказ о начале учебного года</a></li><li>02.09.2023 <a href="/docs/rasp.pdf">Расписание</a></li></ul>`)
	news := ofType(recs, "news")
	if len(news) != 3 {
		t.Fatalf("news: %v", recs)
	}
	wantFields(t, news[0], map[string]string{"title": "Конференция лицеистов", "date": "2024-03-14", "url": "https://school.example/news/3"})
	wantFields(t, news[1], map[string]string{"title": "Приём в 1 класс", "date": "2024-03-05"})
	wantFields(t, news[2], map[string]string{"date": "2024-03-07"})
	if len(ofType(recs, "document")) != 2 {
		t.Errorf("dated file links must be documents, not news: %v", recs)
	}
}

func TestExtractOddInput(t *testing.T) {
	if Extract("", nil, Options{}) != nil {
		t.Errorf("nil document gave records")
	}
	for _, s := range []string{"", "<table><tr><td colspan=999999>x", "<a href='::'>Устав.pdf</a>", "<p itemprop='   '>", strings.Repeat("<div>", 400)} {
		_ = Extract("::bad url", parse(t, s), Options{CrawlDate: "not a date"})
	}
}
