package review

import (
	"testing"

	"perenos/mapping"
)

func TestPersonalData(t *testing.T) {
	for _, tc := range []struct {
		name string
		it   mapping.Item
		want bool
	}{
		{"enrolment order", mapping.Item{Title: "Зачисление в 1 класс", Body: "Приказ № 41. Зачислены:\n1. Арсеньев Матвей Олегович\n2. Белова Злата Игоревна\n3. Вершинин Тимофей Андреевич"}, true},
		{"birth dates", mapping.Item{Title: "Победители", Body: "| ФИО | Дата рождения |\n|---|---|\n| Гусева Дарья Павловна | 09.05.2012 |"}, true},
		{"born, short form", mapping.Item{Title: "Группа «Солнышко»", Body: "Петров И. С., 2020 г.р.; Сидорова А. В., 2019 г.р."}, true},
		{"kindergarten group", mapping.Item{Title: "Списки воспитанников группы «Радуга»", Body: "Андреев К. Л.\nБорисова М. Н.\nВасильев Р. Т.\nГригорьева О. П."}, true},
		{"patients", mapping.Item{Title: "Выписаны", Body: "Пациент Кузнецов Олег Иванович, палата 4; пациентка Морозова Ирина Петровна, палата 7"}, true},
		{"home addresses", mapping.Item{Title: "Очередь на жильё", Body: "Ильин Пётр Сергеевич, ул. Ленина, д. 5, кв. 12\nОрлова Вера Ивановна, ул. Мира, д. 1, кв. 3"}, true},
		{"residence", mapping.Item{Title: "Объявление", Body: "Семёнов Г. Д., проживающий по ул. Заречной"}, true},
		{"record fields", mapping.Item{Kind: mapping.KindRecord, Title: "person", Fields: map[string]string{"fio": "Лебедев Антон Викторович", "birth": "дата рождения 01.02.1990"}}, true},

		{"staff list", mapping.Item{Title: "Педагогический состав", Body: "Алёшина Ольга Петровна — директор, учитель математики\nКоролёв Сергей Викторович — учитель физики\nКузьмина Нина Фёдоровна — учитель начальных классов"}, false},
		{"managers", mapping.Item{Kind: mapping.KindRecord, Title: "rucovodstvo: Алёшина Ольга Петровна", Fields: map[string]string{"fio": "Алёшина Ольга Петровна", "post": "Директор", "telephone": "(3955) 52-17-07"}}, false},
		{"school address", mapping.Item{Title: "Основные сведения", Body: "Адрес: 665830, г. Ангарск, 84 квартал, д. 17. Директор Алёшина Ольга Петровна."}, false},
		{"admission rules", mapping.Item{Title: "Правила приёма", Body: "Зачисление в 1 класс проводится по заявлению родителей. Документы принимает секретарь."}, false},
		{"news about a teacher", mapping.Item{Title: "С Днём учителя!", Body: "Поздравляем Тёркину Галину Ивановну с юбилеем педагогической работы."}, false},
		{"clinic doctors", mapping.Item{Title: "Врачи", Body: "Терапевт Павлов Андрей Николаевич, кабинет 12. Больница принимает по записи."}, false},
	} {
		why, got := PersonalData(&tc.it)
		if got != tc.want {
			t.Errorf("%s: flagged %v (%s), want %v", tc.name, got, why, tc.want)
		}
		if got && why == "" {
			t.Errorf("%s: flagged without a reason", tc.name)
		}
	}
}

func TestUndecidedPersonalData(t *testing.T) {
	kids := mapping.Item{Key: "/kids", Title: "Зачисление", Body: "Зачислены: Арсеньев Матвей Олегович, Белова Злата Игоревна, Вершинин Тимофей Андреевич"}
	other := kids
	other.Key = "/kids2"
	p := &mapping.Plan{Sections: []mapping.SectionPlan{{ID: "docs", Items: []mapping.Item{kids, {Key: "/about", Title: "О школе"}}}}, Unplaced: []mapping.Item{other}}
	if got := UndecidedPersonalData(p, nil); len(got) != 1 || got[0].Item.Key != "/kids" {
		t.Fatalf("undecided: %+v", got)
	}
	if all := PersonalItems(p, nil); len(all) != 2 || all[1].Placed {
		t.Fatalf("flagged: %+v", all)
	}
	title := "новый заголовок"
	if got := UndecidedPersonalData(p, []mapping.Override{{Key: "/kids", Title: &title}}); len(got) != 1 {
		t.Errorf("a title edit counted as a decision on personal data")
	}
	for _, ov := range []mapping.Override{{Key: "/kids", Section: "docs"}, {Key: "/kids", Exclude: "персональные данные"}} {
		if got := UndecidedPersonalData(p, []mapping.Override{ov}); len(got) != 0 {
			t.Errorf("decision %+v not counted: %+v", ov, got)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 сайтов"}, {1, "1 сайт"}, {2, "2 сайта"}, {4, "4 сайта"}, {5, "5 сайтов"}, {11, "11 сайтов"}, {12, "12 сайтов"},
		{14, "14 сайтов"}, {21, "21 сайт"}, {22, "22 сайта"}, {25, "25 сайтов"}, {101, "101 сайт"}, {111, "111 сайтов"}, {1000, "1000 сайтов"}, {-1, "-1 сайт"},
	} {
		if got := Count(tc.n, "сайт", "сайта", "сайтов"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := Count(2, "файл", "файла", "файлов"); got != "2 файла" {
		t.Errorf("2 файла: %q", got)
	}
}

func TestLabelNamesNoMachineKinds(t *testing.T) {
	for _, tc := range []struct {
		it   mapping.Item
		want string
	}{
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "teachingStaff", Title: "teachingStaff: Алёшина Ольга Петровна"}, "Педагог: Алёшина Ольга Петровна"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "sveden", Title: "sveden"}, "Основные сведения"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "news", Title: "news: Контакты"}, "Новость: Контакты"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "volume", Title: "volume"}, "Объём образовательной деятельности"},
		{mapping.Item{Kind: mapping.KindRecord, DocKind: "somethingNew", Title: "somethingNew: Значение"}, "Сведения: Значение"},
		{mapping.Item{Kind: mapping.KindPage, Title: "История школы"}, "История школы"},
		{mapping.Item{Kind: mapping.KindDocument, FileName: "устав.pdf"}, "устав.pdf"},
	} {
		if got := Label(&tc.it); got != tc.want {
			t.Errorf("Label(%q) = %q, want %q", tc.it.Title, got, tc.want)
		}
	}
	if got := Reason("запись вида «contact»; запись со страницы /x"); got != "запись вида «контакты»; запись со страницы /x" {
		t.Errorf("reason: %q", got)
	}
	if got := Reason("запись вида «zzz»"); got != "запись" {
		t.Errorf("reason with an unknown kind: %q", got)
	}
}

func TestActor(t *testing.T) {
	for in, want := range map[string]string{
		"operator:анна":                      "оператор анна",
		"admin:3801000007 (приглашение abc)": "администратор организации (приглашение abc)",
		"admin:3801000007":                   "администратор организации",
		"perenos crawl":                      "perenos crawl",
		"operator":                           "оператор",
	} {
		if got := Actor(in); got != want {
			t.Errorf("Actor(%q) = %q, want %q", in, got, want)
		}
	}
}
