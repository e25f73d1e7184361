package mapping

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"perenos/store"
)

// TestMenuNamesOfRealSites places pages named only by a flat menu (no
// «Сведения» group, no telling address, no title of their own) with the
// names real legacy sites give them: the vocabulary must know them.
func TestMenuNamesOfRealSites(t *testing.T) {
	cases := []struct {
		typ   store.OrgType
		names map[string]string // menu text → section
	}{
		{store.School, map[string]string{
			"Обучение инвалидов и лиц с ОВЗ":            "sveden/objects",
			"Руководители":                              "sveden/managers",
			"Материальная поддержка":                    "sveden/grants",
			"Платное обучение":                          "sveden/paid_edu",
			"Международная деятельность":                "sveden/inter",
			"Материально-техническая база":              "sveden/objects",
			"Наличие свободных мест":                    "sveden/vacant",
			"Общеразвивающие программы":                 "sveden/education",
			"Предпрофессиональные программы":            "sveden/education",
			"Платное отделение":                         "sveden/paid_edu",
			"Отчёт о выполнении муниципального задания": "sveden/budget",
			"Фортепианное отделение":                    OtherSection,
			"Аттестация педагогических работников":      OtherSection,
			"Центр образования Точка роста":             OtherSection,
			"Положение о платных услугах":               "sveden/paid_edu",
			"Расписание уроков":                         OtherSection,
			"Библиотека":                                OtherSection,
			"Информация об образовательной организации": "sveden", // the whole section under its older name, not «Основные сведения»
			"Сведения об ОУ":                            "sveden",
		}},
		{store.School, map[string]string{ // a school of arts' menu
			"Абитуриентам":                         OtherSection,
			"Правила приёма":                       "sveden/document",
			"Устав":                                "sveden/document",
			"Положения":                            "sveden/document",
			"Муниципальное задание":                "sveden/budget",
			"Отчёт о самообследовании":             "sveden/document",
			"Концертная деятельность":              OtherSection,
			"Конкурсы и фестивали":                 OtherSection,
			"Наши достижения":                      OtherSection,
			"Методическая работа":                  OtherSection,
			"Антитеррор":                           OtherSection,
			"Охрана труда":                         OtherSection,
			"Учебные планы":                        "sveden/education",
			"Календарный учебный график":           "sveden/education",
			"Родителям":                            OtherSection,
			"Преподаватели":                        "sveden/employees",
			"Администрация":                        "sveden/managers",
			"Вакантные места":                      "sveden/vacant",
			"Финансово-хозяйственная деятельность": "sveden/budget",
		}},
		{store.School, map[string]string{ // colleges and driving schools are schools' profile too
			"Стипендии и меры поддержки обучающихся":             "sveden/grants",
			"Трудоустройство выпускников":                        "sveden/education", // 1493 (831 before it): graduate employment is part of «Образование»
			"Результаты приёма":                                  "sveden/education",
			"Общежитие":                                          "sveden/grants",
			"Международное сотрудничество":                       "sveden/inter",
			"Приёмная комиссия":                                  OtherSection,
			"Учебные транспортные средства":                      "sveden/objects",
			"Программы профессионального обучения":               "sveden/education",
			"Преподаватели и мастера производственного обучения": "sveden/employees",
			"Мастера производственного обучения вождению":        "sveden/employees",
			"Стоимость обучения":                                 "sveden/paid_edu",
			"Расписание занятий":                                 OtherSection,
			"Автопарк":                                           "sveden/objects",
			"Учебные классы":                                     "sveden/objects",
			"Специальности":                                      "sveden/education",
			"Аннотации к рабочим программам":                     "sveden/education",
			"ФГОС СПО":           "sveden/eduStandarts",
			"Цены на обучение":   "sveden/paid_edu",
			"Структура колледжа": "sveden/struct",
			"Финансы":            "sveden/budget",
		}},
		{store.Preschool, map[string]string{
			"Условия для детей с ОВЗ":     "sveden/objects",
			"Предметно-развивающая среда": "sveden/objects",
			"Стоимость обучения":          "sveden/paid_edu",
			"Наличие мест":                "sveden/vacant",
			"Меню на сегодня":             "sveden/catering",
			"Десятидневное меню":          "sveden/catering",
			"Меню на неделю":              "sveden/catering",
			"Блог":                        NewsSection,
			"Режим дня":                   OtherSection,
			"Режим работы":                "sveden/common",
			"Учредитель":                  "sveden/common",
			"Поступающим":                 OtherSection,
		}},
		{store.Medical, map[string]string{
			"ОМС": "med/gosgarantii",
			"Медицинская помощь по ОМС":    "med/gosgarantii",
			"Общая информация":             "med/about",
			"Клиника":                      "med/about", // a private clinic's «about» group
			"Независимая оценка":           "med/feedback",
			"Анкета":                       "med/feedback",
			"Как подготовиться к анализам": "med/preparation",
			"Органы власти по надзору в сфере здравоохранения": "med/controlling",
			"Госпитализация":          "med/hospitalization",
			"Вакцинация":              OtherSection,
			"Учредительные документы": "med/about",
			"Главный врач":            "med/structure",
			"Телефоны":                "contacts",
			"Порядок проведения диспансеризации": "med/dispensary",
			"Порядок, условия и сроки ожидания медицинской помощи по Территориальной программе госгарантий": "med/gosgarantii",
			"Памятка для граждан о гарантиях бесплатного оказания медицинской помощи":                       "med/gosgarantii",
			"Информация о платных услугах": "med/paid",
			"Прайс-лист": "med/paid",
			"Сведения о медицинских работниках": "med/staff",
			"Расписание приёма врачей":          "med/staff", // 118н: the staff's hours are theirs
			"Электронная регистратура":          "med/appointment",
			"Вызов врача на дом":                "med/appointment",
			"Сроки ожидания":                    "med/gosgarantii",
			"Сведения о медработниках":          "med/staff",
			"Диспансерное наблюдение":           "med/dispensary",
			"Вакцинация против гриппа":          OtherSection,
		}},
		{store.Municipal, map[string]string{
			"Отчёт главы о результатах деятельности": "omsu/speeches",
			"Послание главы администрации":           "omsu/speeches",
			"План проверок на 2025 год":              "omsu/inspections",
			"Обзор обращений граждан":                "omsu/appeals",
			"Административные регламенты":            "omsu/services",
			"Экономика":                           "omsu/statistics",
			"Совет депутатов":                     "omsu/structure",
			"Проекты НПА":                         "omsu/acts",
			"Порядок обжалования":                 "omsu/acts",
			"Предупреждение ЧС":                   "omsu/emergencies",
			"Открытый бюджет":                     "omsu/statistics",
			"Информация о сельском поселении":     "omsu/general",
			"Градостроительная деятельность":      OtherSection,
			"Малое и среднее предпринимательство": OtherSection,
		}},
	}
	ps := profiles(t)
	for _, c := range cases {
		t.Run(string(c.typ), func(t *testing.T) {
			dir := t.TempDir()
			var names []string
			for n := range c.names {
				names = append(names, n)
			}
			var menu strings.Builder
			menu.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Сайт организации</title></head><body><ul class="menu"><li><a href="/">Главная</a></li>`)
			for i, n := range names {
				fmt.Fprintf(&menu, `<li><a href="/p/%d.html">%s</a></li>`, 100+i, n)
			}
			menu.WriteString(`</ul><div class="c">{{content}}</div><p>Адрес: г. Город, ул. Ленина, 1.</p></body></html>`)
			write := func(rel, text string) {
				p := filepath.Join(dir, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("_layout.html", menu.String())
			write("index.html", "<p>Добро пожаловать.</p>")
			for i := range names {
				write(fmt.Sprintf("p/%d.html", 100+i), fmt.Sprintf("<p>Страница %d. Информация обновлена 10 января.</p>", i))
			}
			plan := Build(ps[c.typ], loadFixDir(t, dir, "menu-names", c.typ), Options{})
			pix, _ := fixIndex(plan)
			for i, n := range names {
				es := pix[fmt.Sprintf("p/%d.html", 100+i)]
				if len(es) != 1 || es[0].section != c.names[n] {
					got := "not in plan"
					if len(es) > 0 {
						got = fmt.Sprintf("%s (%.2f: %s)", es[0].section, es[0].it.Confidence, strings.Join(es[0].it.Reasons, "; "))
					}
					t.Errorf("«%s»: got %s, want %s", n, got, c.names[n])
				}
			}
		})
	}
}

// TestDocumentNamesOfRealSites places files listed on a «Документы» page,
// and the same files listed on the «Сведения» page itself, by the names
// real sites give them: a regulation («Положение о…») goes where its
// subject does, unless its subject is something else that concerns a
// section (attestation of teachers is a local act); one whose subject
// names no section is a local act wherever it is listed.
func TestDocumentNamesOfRealSites(t *testing.T) {
	docs := map[string]string{
		"Положение о порядке оказания платных образовательных услуг": "sveden/paid_edu",
		"Положение об организации питания":                           "sveden/catering",
		"Положение об управляющем совете":                            "sveden/struct",
		"Положение о стипендии":                                      "sveden/grants",
		"Паспорт доступности":                                        "sveden/objects",
		"Информация о питании":                                       "sveden/catering",
		"Положение об аттестации педагогических работников":          "sveden/document",
		"Положение о школьной форме":                                 "sveden/document",
		"Устав": "sveden/document",
		"Отчёт о результатах самообследования за 2024 год":                      "sveden/document",
		"План финансово-хозяйственной деятельности на 2025 год":                 "sveden/budget",
		"Муниципальное задание на 2025 год":                                     "sveden/budget",
		"Коллективный договор":                                                  "sveden/document",
		"Правила внутреннего трудового распорядка":                              "sveden/document",
		"Учебный план на 2024-2025 учебный год":                                 "sveden/education",
		"Календарный учебный график":                                            "sveden/education",
		"Рабочая программа воспитания":                                          "sveden/education",
		"Примерное десятидневное меню":                                          "sveden/catering",
		"Договор об оказании платных образовательных услуг":                     "sveden/paid_edu",
		"Предписание Роспотребнадзора":                                          "sveden/document",
		"Порядок и основания перевода, отчисления и восстановления обучающихся": "sveden/document",
		"Правила пользования библиотекой":                                       "sveden/document",
	}
	for _, list := range []listPage{{"docs.html", "Документы"}, {"sveden.html", "Сведения об образовательной организации"}} {
		t.Run(list.title, func(t *testing.T) { checkListedDocuments(t, store.School, list, docs) })
	}
}

// listPage is the page a test lists documents on.
type listPage struct{ file, title string }

// checkListedDocuments maps a small site whose one page (list, linked from
// the menu) lists files named by docs' keys, and requires each file in its
// section, with no review.
func checkListedDocuments(t *testing.T, typ store.OrgType, list listPage, docs map[string]string) {
	t.Helper()
	var names []string
	for n := range docs {
		names = append(names, n)
	}
	dir := t.TempDir()
	menu := fmt.Sprintf(`<ul class="menu"><li><a href="/">Главная</a></li><li><a href="/%s">%s</a></li></ul>`, list.file, list.title)
	var page strings.Builder
	fmt.Fprintf(&page, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head><body>%s<h1>%s</h1><ul>`, list.title, menu, list.title)
	for i, n := range names {
		fmt.Fprintf(&page, `<li><a href="/files/%d.pdf">%s</a></li>`, i, n)
	}
	page.WriteString(`</ul></body></html>`)
	for rel, text := range map[string]string{
		list.file:    page.String(),
		"index.html": `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Главная</title></head><body>` + menu + `<p>Добро пожаловать.</p></body></html>`,
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := Build(profiles(t)[typ], loadFixDir(t, dir, "document-names", typ), Options{})
	_, dix := fixIndex(plan)
	for i, n := range names {
		es := dix[fmt.Sprintf("files/%d.pdf", i)]
		if len(es) != 1 || es[0].section != docs[n] {
			got := "not in plan"
			if len(es) > 0 {
				got = fmt.Sprintf("%s (%.2f: %s)", es[0].section, es[0].it.Confidence, strings.Join(es[0].it.Reasons, "; "))
			}
			t.Errorf("«%s»: got %s, want %s", n, got, docs[n])
		}
	}
}

// TestContentDoesNotNameAPage: outside «Сведения», a page whose name
// names no section is not made the one page of a subsection by its
// content alone: a department's page listing its teachers stays the
// department's (a free page).
func TestContentDoesNotNameAPage(t *testing.T) {
	dir := t.TempDir()
	menu := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head><body><ul class="menu"><li><a href="/">Главная</a></li><li><a href="/fortepiano.html">Фортепианное отделение</a></li><li><a href="/konkursy.html">Конкурсы</a></li></ul><h1>%s</h1>%s<p>ДШИ № 3, ул. Мира, 5.</p></body></html>`
	table := `<table><tr><th>ФИО</th><th>Должность</th><th>Предмет</th></tr><tr><td>Иванова Мария Петровна</td><td>преподаватель</td><td>фортепиано</td></tr><tr><td>Петрова Анна Ивановна</td><td>преподаватель</td><td>сольфеджио</td></tr><tr><td>Сидорова Ольга Юрьевна</td><td>преподаватель</td><td>ансамбль</td></tr></table><p>Отделение реализует программу «Фортепиано» со сроком обучения 8 лет.</p>`
	for rel, page := range map[string][2]string{
		"index.html":      {"Главная", "<p>Добро пожаловать.</p>"},
		"fortepiano.html": {"Фортепианное отделение", table},
		"konkursy.html":   {"Конкурсы", "<p>Учащиеся — лауреаты конкурса «Звёздный дождь».</p>"},
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(fmt.Sprintf(menu, page[0], page[0], page[1])), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := Build(profiles(t)[store.School], loadFixDir(t, dir, "department", store.School), Options{})
	pix, _ := fixIndex(plan)
	if es := pix["fortepiano.html"]; len(es) != 1 || es[0].section != OtherSection {
		t.Errorf("fortepiano.html: got %+v, want a free page", es)
	}
}

// TestMedicalDocumentNames places a polyclinic's files listed on its
// «Документы» page by the names such sites give them (118н wording).
func TestMedicalDocumentNames(t *testing.T) {
	checkListedDocuments(t, store.Medical, listPage{"docs.html", "Документы"}, map[string]string{
		"Лицензия на осуществление медицинской деятельности":                 "med/license",
		"Прейскурант на платные медицинские услуги":                          "med/paid",
		"Территориальная программа государственных гарантий":                 "med/gosgarantii",
		"Перечень жизненно необходимых и важнейших лекарственных препаратов": "med/drugs",
		"Памятка по подготовке к УЗИ":                                        "med/preparation",
		"Устав": "med/about",
		"Правила внутреннего распорядка для пациентов":  "med/about", // 118н: general information, as the fixture polyclinic labels it
		"Договор на оказание платных медицинских услуг": "med/paid",
		"Положение о порядке госпитализации":            "med/hospitalization",
		"Сведения о медицинских работниках":             "med/staff",
		"График приёма граждан главным врачом":          "med/schedule",
	})
}

// TestPreschoolDocumentNames places a kindergarten's files listed on its
// «Документы» page by the names such sites give them.
func TestPreschoolDocumentNames(t *testing.T) {
	checkListedDocuments(t, store.Preschool, listPage{"docs.html", "Документы"}, map[string]string{
		"Положение о комплектовании групп":                                            "sveden/document",
		"Правила приёма воспитанников":                                                "sveden/document",
		"Постановление об установлении размера родительской платы за присмотр и уход": "sveden/paid_edu",
		"Образовательная программа дошкольного образования":                           "sveden/education",
		"Примерное десятидневное меню":                                                "sveden/catering",
		"Отчёт о результатах самообследования":                                        "sveden/document",
		"Паспорт доступности":                                                         "sveden/objects",
		"Устав":                                                                       "sveden/document",
		"Лицензия на осуществление образовательной деятельности":                      "sveden/common",
	})
}

// TestMunicipalDocumentNames places a municipality's files listed on its
// «Документы» page by the names such sites give them.
func TestMunicipalDocumentNames(t *testing.T) {
	checkListedDocuments(t, store.Municipal, listPage{"docs.html", "Документы"}, map[string]string{
		"Административный регламент предоставления муниципальной услуги «Выдача градостроительного плана»": "omsu/services",
		"Муниципальная программа «Развитие культуры на 2024-2026 годы»":                                    "omsu/programs",
		"Отчёт об исполнении бюджета за 2024 год":                                                          "omsu/statistics",
		"План проверок на 2025 год": "omsu/inspections",
		"Сведения о доходах, расходах, об имуществе и обязательствах имущественного характера": "anticorruption",
		"Памятка населению о действиях при чрезвычайных ситуациях":                             "omsu/emergencies",
		"Положение о порядке рассмотрения обращений граждан":                                   "omsu/appeals",
		"Постановление от 12.03.2024 № 45 «О внесении изменений в постановление № 12»":         "omsu/acts",
		"Решение Совета депутатов № 15 о внесении изменений в Устав":                           "omsu/acts",
	})
}
