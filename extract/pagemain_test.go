package extract

import (
	"strings"
	"testing"
)

// TestPageMain checks the choice of main content on a page alone (no
// template): what must stay and what must go.
func TestPageMain(t *testing.T) {
	menu := `<div class="menu"><ul><li><a href="/">Главная</a></li><li><a href="/sveden/">Сведения об организации</a></li>
<li><a href="/news/">Новости</a></li><li><a href="/contacts/">Контакты</a></li></ul></div>`
	footer := `<div id="footer">© 2024 ГБУЗ «Районная больница № 3». Все права защищены. Счётчик посещений</div>`
	for _, tc := range []struct {
		name      string
		body      string
		want      []string
		notWant   []string
		attachURL string // a document link that must count as content
	}{
		{
			name: "article between menu, sidebar and footer",
			body: menu + `<div class="sidebar"><h3>Объявления</h3><p><a href="/a1">Приём граждан переносится, подробности здесь</a></p></div>
<div class="content"><h1>История больницы</h1><p>Больница открыта в 1958 году, в ней было три отделения, двадцать коек и одна машина скорой помощи.</p>
<p>В 1975 году построен новый корпус, открыты хирургия, терапия и родильное отделение, штат вырос до ста человек.</p></div>` + footer,
			want:    []string{"Больница открыта в 1958 году", "В 1975 году построен новый корпус"},
			notWant: []string{"Сведения об организации", "Все права защищены", "Приём граждан переносится"},
		},
		{
			name: "page that is a list of documents",
			body: menu + `<div class="text"><h1>Документы</h1><ul>
<li><a href="/files/ustav.pdf">Устав учреждения</a></li><li><a href="/files/license.pdf">Лицензия на медицинскую деятельность</a></li>
<li><a href="/files/plan.docx">План финансово-хозяйственной деятельности на 2024 год</a></li>
<li><a href="/files/prices.xlsx">Прейскурант платных медицинских услуг</a></li></ul></div>` + footer,
			want:      []string{"Устав учреждения", "Прейскурант платных медицинских услуг"},
			notWant:   []string{"Контакты", "Счётчик посещений"},
			attachURL: "http://h.example/files/plan.docx",
		},
		{
			name: "a page that shows its document in a viewer",
			body: menu + `<div class="text"><h1>План финансово-хозяйственной деятельности</h1>
<p>План финансово-хозяйственной деятельности учреждения на 2025 год утверждён учредителем 20 января 2025 года.</p>
<iframe src="https://docs.google.com/viewer?url=http%3A%2F%2Fh.example%2Ffiles%2Fpfhd-2025.pdf&amp;embedded=true" width="100%"></iframe></div>` + footer,
			want:      []string{"утверждён учредителем"},
			notWant:   []string{"Контакты"},
			attachURL: "http://h.example/files/pfhd-2025.pdf",
		},
		{
			name: "a document embedded with <object>",
			body: menu + `<div class="text"><h1>Устав</h1><p>Устав учреждения в новой редакции, утверждённой в 2024 году постановлением администрации района.</p>
<object data="/files/ustav-2024.pdf" type="application/pdf" width="100%" height="800"></object></div>` + footer,
			want:      []string{"в новой редакции"},
			notWant:   []string{"Контакты"},
			attachURL: "http://h.example/files/ustav-2024.pdf",
		},
		{
			name: "staff table is taken whole, not one cell",
			body: menu + `<h1>Руководство</h1><table border="1"><tr><th>ФИО</th><th>Должность</th><th>Телефон</th></tr>
<tr><td>Сидорова Анна Викторовна</td><td>главный врач, кандидат медицинских наук, врач высшей категории</td><td>8 (3952) 11-22-33</td></tr>
<tr><td>Кузнецов Олег Павлович</td><td>заместитель главного врача по медицинской части</td><td>8 (3952) 11-22-44</td></tr></table>` + footer,
			want:    []string{"Руководство", "Сидорова Анна Викторовна", "Кузнецов Олег Павлович", "8 (3952) 11-22-44"},
			notWant: []string{"Новости", "Все права защищены"},
		},
		{
			name: "2005 table layout with text split by line breaks",
			body: `<table width="780"><tr><td width="180"><a href="/">Главная</a><br><a href="/o-nas">О нас</a><br><a href="/uslugi">Услуги</a></td>
<td><b>Режим работы</b><br><br>Поликлиника принимает пациентов с понедельника по пятницу, с 8 до 20 часов, в субботу с 9 до 14 часов.<br><br>
Вызов врача на дом принимается по телефону регистратуры до 12 часов, в выходные дни вызовы принимает дежурный врач.</td></tr>
<tr><td colspan="2"><font size="1">Сделано в 2005 году, все права защищены</font></td></tr></table>`,
			want:    []string{"Режим работы", "Поликлиника принимает пациентов", "Вызов врача на дом"},
			notWant: []string{"О нас", "Сделано в 2005 году"},
		},
		{
			name: "a theme's page-header keeps the title, the site's header goes",
			body: `<header><a href="/"><img src="/logo.png" alt="Логотип"></a> МБДОУ «Детский сад № 12 „Солнышко“», телефон 8 (3955) 12-34-56</header>` + menu +
				`<div class="page-header"><h2>Платные образовательные услуги</h2></div><div class="item-page">
<p>Детский сад оказывает платные услуги по договорам с родителями, перечень и стоимость утверждены постановлением администрации.</p>
<p>Занятия проводятся во второй половине дня, группы по восемь–десять детей, оплата ежемесячно по квитанции.</p></div>` + footer,
			want:    []string{"Платные образовательные услуги", "по договорам с родителями", "группы по восемь–десять детей"},
			notWant: []string{"телефон 8 (3955)", "Новости"},
		},
		{
			name: "hidden blocks, share bars and related links inside the article go",
			body: `<article><h1>День открытых дверей</h1><div class="share-buttons"><a href="/vk">ВКонтакте</a> <a href="/ok">Одноклассники</a></div>
<p>В субботу, 14 сентября, школа приглашает будущих первоклассников и их родителей на день открытых дверей.</p>
<p>Учителя начальных классов расскажут о программах, покажут кабинеты, столовую и спортивный зал.</p>
<div style="display:none">Скрытый текст для поисковых систем</div>
<div class="related-posts"><h3>Читайте также</h3><ul><li><a href="/n/1">Выпускной 2024 года</a></li><li><a href="/n/2">Итоги олимпиады по математике</a></li></ul></div></article>` + footer,
			want:    []string{"будущих первоклассников", "покажут кабинеты"},
			notWant: []string{"ВКонтакте", "Скрытый текст", "Итоги олимпиады", "Все права защищены"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("<html><head><title>Страница</title></head><body>" + tc.body + "</body></html>")
			if err != nil {
				t.Fatal(err)
			}
			d, err := Extract("http://h.example/page.html", doc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Text, w) {
					t.Errorf("content %q lost; text:\n%s", w, d.Text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(d.Text, w) {
					t.Errorf("boilerplate %q kept; text:\n%s", w, d.Text)
				}
				if !droppedHolds(d, w) {
					t.Errorf("boilerplate %q gone without an account in Dropped: %+v", w, d.Dropped)
				}
			}
			if tc.attachURL != "" {
				found := false
				for _, a := range d.Attachments() {
					found = found || a.URL == tc.attachURL
				}
				if !found {
					t.Errorf("attachment %s not in the content's attachments: %+v", tc.attachURL, d.Attachments())
				}
			}
		})
	}
}

func droppedHolds(d *Document, s string) bool {
	for _, x := range d.Dropped {
		if strings.Contains(x.Text, s) && x.Why != "" {
			return true
		}
	}
	return false
}

// TestPageMainKeepsPhotosAndAccountsForImages: a photo gallery inside the
// content stays in the Markdown; a strip of banner images outside it is
// dropped with an entry in Dropped although it has no text.
func TestPageMainKeepsPhotosAndAccountsForImages(t *testing.T) {
	page := `<html><body><div class="banners"><a href="https://gosuslugi.example/"><img src="/b/1.png"></a><a href="https://edu.example/"><img src="/b/2.png"></a></div>
<div class="content"><h1>Выпускной 2024</h1><p>В июне в школе прошёл выпускной вечер, выпускникам вручили аттестаты, а лучшим из них медали.</p>
<p>Родители подготовили концерт, учителя сказали напутственные слова, праздник закончился поздно вечером.</p>
<div class="gallery"><img src="/foto/1.jpg" alt="Вручение аттестатов"><img src="/foto/2.jpg" alt="Концерт"><img src="/foto/3.jpg" alt="Вальс выпускников"><img src="/foto/4.jpg" alt="Общее фото"></div></div>
</body></html>`
	doc, err := Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Extract("http://school.example/news/vypusknoy.html", doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, alt := range []string{"Вручение аттестатов", "Вальс выпускников", "Общее фото"} {
		if !strings.Contains(d.Markdown, "!["+alt+"](http://school.example/foto/") {
			t.Errorf("photo %q lost from the Markdown:\n%s", alt, d.Markdown)
		}
	}
	if strings.Contains(d.Markdown, "/b/1.png") {
		t.Errorf("banner kept:\n%s", d.Markdown)
	}
	if !droppedHolds(d, "изображения без текста: 2") {
		t.Errorf("banner strip dropped without an account: %+v", d.Dropped)
	}
}
