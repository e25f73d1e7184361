package mapping

import (
	"crypto/sha256"
	"testing"

	"perenos/extract"
	"perenos/store"
)

// Documents go where what they are puts them (link text, file name, text),
// whatever page links them; the linking page decides only for a document
// that says nothing about itself. A wrong kind is a defect.
func TestDocumentsPlacedByKind(t *testing.T) {
	const host = "http://school.example/"
	org := &store.Org{ID: "1", Type: store.School, LegacyURL: host}
	in := Input{Org: org, Docs: map[string]*extract.Document{}, Attach: map[string]AttachText{}}
	docsPage := host + "dokumenty.html"
	in.Docs[docsPage] = &extract.Document{URL: docsPage, Title: "Документы", Text: "Документы школы", Markdown: "Документы школы"}
	in.Pages = append(in.Pages, &store.Page{URL: docsPage, Kind: store.KindPage, Status: 200})
	files := []struct {
		file, anchor, text string
		want, kind         string
	}{
		{"ustav.pdf", "Устав школы", "", "sveden/document", "устав"},
		{"dogovor.pdf", "Договор об оказании платных образовательных услуг (на основании лицензии № 123)", "", "sveden/paid_edu", "договор об оказании платных услуг"},
		{"plan_fhd_2024.pdf", "Скачать", "", "sveden/budget", "ПФХД"},
		{"menu-2024-09-12.xlsx", "12 сентября", "", "sveden/catering", "меню"},
		{"otchet.pdf", "Отчёт о самообследовании за 2023 год", "", "sveden/document", "отчёт о самообследовании"},
		{"prikaz_12.pdf", "Приказ № 12", "Бюджетная смета муниципального общеобразовательного учреждения на 2024 год", "sveden/budget", "ПФХД"},
		{"uch_plan.pdf", "Учебный план", "", "sveden/education", "образовательная программа"},
		{"litsenziya.pdf", "(245 Кб)", "", "sveden/common", "лицензия"},
		{"foto.pdf", "Фотоотчёт о субботнике", "", "sveden/document", ""}, // says nothing: the linking page's section
	}
	for i, f := range files {
		u := host + "files/" + f.file
		p := &store.Page{URL: u, Kind: store.KindAttachment, Status: 200, FileName: f.file, Size: 100,
			Blob: store.BlobID(sha256.Sum256([]byte{byte(i)})), Referrers: []store.Ref{{URL: docsPage, Anchor: f.anchor}}}
		in.Pages = append(in.Pages, p)
		if f.text != "" {
			in.Attach[u] = AttachText{Text: f.text}
		}
	}
	plan := Build(profiles(t)[store.School], in, Options{})
	if _, sec := itemOf(plan, docsPage); sec != "sveden/document" {
		t.Fatalf("the documents page is in %q", sec)
	}
	for _, f := range files {
		it, sec := itemOf(plan, host+"files/"+f.file)
		if sec != f.want || it.DocKind != f.kind {
			t.Errorf("%s («%s»): in %q as %q, want %s as %q; reasons %v", f.file, f.anchor, sec, it.DocKind, f.want, f.kind, it.Reasons)
		}
	}
}

func TestKindOf(t *testing.T) {
	prof := profiles(t)[store.School]
	for _, c := range []struct{ title, file, text, want string }{
		{"Договор об оказании платных услуг", "", "", "договор об оказании платных услуг"},
		{"Лицензия на образовательную деятельность", "", "", "лицензия"},
		{"", "samoobsledovanie_2023.pdf", "", "отчёт о самообследовании"},
		{"", "Pravila_priema.pdf", "", "правила приёма"},
		{"", "scan001.pdf", "УТВЕРЖДЕН\nпостановлением администрации города Примерска\nот 12.03.2015 № 123\n\nУСТАВ\nмуниципального бюджетного учреждения", "устав"},
		{"", "scan002.pdf", "ПОЛОЖЕНИЕ\nо языке образования", "язык образования"},
		{"Бланк", "zayavlenie.docx", "Руководителю школы\nЗАЯВЛЕНИЕ об участии в ГИА\nпрошу зарегистрировать меня на экзамен", ""},     // «меня» is not «меню»
		{"Согласие", "soglasie.docx", "Согласие на обработку персональных данных\nсоблюдение порядка и правил приема обучающихся", ""}, // cited in a sentence, not the title
		{"Подготовка к ОГЭ", "", "", ""}, // a kind of medical sites only
		{"Расписание кружков", "raspisanie.pdf", "", ""},
		// the verbal noun names the act's subject; a participle cites an act
		{"Приказ об утверждении учебного плана на 2024/2025 учебный год", "", "", "образовательная программа"},
		{"Приказ об утверждении стоимости обучения", "", "", "стоимость обучения"},
		{"Изменения, утверждённые уставом", "", "", ""},
		{"Прейскурант цен на платные образовательные услуги", "", "", "стоимость обучения"},
		{"Паспорт доступности объекта", "", "", "паспорт доступности"},
		{"ФГОС НОО", "", "", "ФГОС"},
		{"Отчёт о поступлении и расходовании финансовых средств за 2023 год", "", "", "ПФХД"},
		{"Положение о приёме обучающихся", "", "", "правила приёма"},
	} {
		if got, _ := prof.kindOf(stemmer{}, c.title, c.file, c.text); got != c.want {
			t.Errorf("kindOf(%q, %q, %q) = %q, want %q", c.title, c.file, c.text, got, c.want)
		}
	}
}

// A kind of one type's documents is not read in another's: a
// municipality's «Муниципальная программа «Развитие культуры»» is no
// school's development programme.
func TestKindsOfOneType(t *testing.T) {
	ps := profiles(t)
	if k, _ := ps[store.Municipal].kindOf(stemmer{}, "Муниципальная программа «Развитие культуры»", "", ""); k != "" {
		t.Errorf("a municipal programme is of kind %q, want none", k)
	}
	if k, _ := ps[store.School].kindOf(stemmer{}, "Программа развития школы на 2025–2030 годы", "", ""); k != "программа развития" {
		t.Errorf("a school's development programme is of kind %q", k)
	}
}

// A file linked by a bare «скачать» takes its title from the list's words
// around the link (the page's document record), and its kind from that.
func TestDocumentTitleFromTheList(t *testing.T) {
	plan := Build(profiles(t)[store.Preschool], loadFixSite(t, "ds7-flatphp", store.Preschool), Options{})
	for _, c := range []struct{ file, title, kind, section string }{
		{"d01.pdf", "Устав МАДОУ № 7", "устав", "sveden/document"},
		{"d09.pdf", "Договор об оказании платных образовательных услуг (образец)", "договор об оказании платных услуг", "sveden/paid_edu"},
		{"d05.pdf", "Коллективный договор", "коллективный договор", "sveden/document"},
		// the link covers only the first word; the item's words go on
		{"d12.pdf", "Положение о порядке оформления возникновения, приостановления и прекращения отношений с родителями воспитанников", "локальный акт", "sveden/document"}, // «порядке» holds «порядок оформления возникновения»,
	} {
		it, sec := itemOf(plan, fixHost+"/docs/"+c.file)
		if it.Title != c.title || it.DocKind != c.kind || sec != c.section {
			t.Errorf("%s: %q (%s) in %s, want %q (%s) in %s", c.file, it.Title, it.DocKind, sec, c.title, c.kind, c.section)
		}
	}
}
