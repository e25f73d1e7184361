package mapping

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"perenos/store"
)

func TestPersonalData(t *testing.T) {
	for _, tc := range []struct {
		name string
		it   Item
		want bool
	}{
		{"enrolment order", Item{Title: "Зачисление в 1 класс", Body: "Приказ № 41. Зачислены:\n1. Арсеньев Матвей Олегович\n2. Белова Злата Игоревна\n3. Вершинин Тимофей Андреевич"}, true},
		{"birth dates", Item{Title: "Победители", Body: "| ФИО | Дата рождения |\n|---|---|\n| Гусева Дарья Павловна | 09.05.2012 |"}, true},
		{"born, short form", Item{Title: "Группа «Солнышко»", Body: "Петров И. С., 2020 г.р.; Сидорова А. В., 2019 г.р."}, true},
		{"patients", Item{Title: "Выписаны", Body: "Пациент Кузнецов Олег Иванович, палата 4; пациентка Морозова Ирина Петровна, палата 7"}, true},
		{"home addresses", Item{Title: "Очередь на жильё", Body: "Ильин Пётр Сергеевич, ул. Ленина, д. 5, кв. 12\nОрлова Вера Ивановна, ул. Мира, д. 1, кв. 3"}, true},
		{"record fields", Item{Kind: KindRecord, Title: "Сотрудник", Fields: map[string]string{"fio": "Лебедев Антон Викторович", "birth": "дата рождения 01.02.1990"}}, true},
		{"staff list", Item{Title: "Педагогический состав", Body: "Алёшина Ольга Петровна — директор, учитель математики\nКоролёв Сергей Викторович — учитель физики\nКузьмина Нина Фёдоровна — учитель начальных классов"}, false},
		{"school address", Item{Title: "Основные сведения", Body: "Адрес: 665830, г. Ангарск, 84 квартал, д. 17. Директор Алёшина Ольга Петровна."}, false},
		{"admission rules", Item{Title: "Правила приёма", Body: "Зачисление в 1 класс проводится по заявлению родителей. Документы принимает секретарь."}, false},
	} {
		why, got := PersonalData(&tc.it)
		if got != tc.want || got && why == "" {
			t.Errorf("%s: flagged %v (%q), want %v", tc.name, got, why, tc.want)
		}
	}
}

// The plan carries the flag on the items themselves: the page of
// enrolment orders naming children with their birth dates is flagged, the
// staff table is not, and an edit that removes the names clears it.
func TestPlanFlagsPersonalData(t *testing.T) {
	plan := Build(profiles(t)[store.Preschool], loadFixSite(t, "ds7-flatphp", store.Preschool), Options{})
	kids, _ := findItem(plan, fixHost+"/zachislenie.php")
	staff, _ := findItem(plan, fixHost+"/pedagogi.php")
	if kids.PersonalData == "" {
		t.Errorf("enrolment orders naming children: no personal-data flag: %+v", kids)
	}
	if staff.PersonalData != "" {
		t.Errorf("the teachers' table is flagged as personal data: %q", staff.PersonalData)
	}
	body := "Приказ № 34-в от 01.09.2024 «О зачислении воспитанников»."
	ApplyOverrides(plan, []Override{{Key: kids.Key, Body: &body}})
	if it, _ := findItem(plan, fixHost+"/zachislenie.php"); it.PersonalData != "" {
		t.Errorf("the flag stays after an edit removed the names: %q", it.PersonalData)
	}
}

// wholePersonalData is PersonalData as it was written first: every
// pattern over the whole text. The windowed patterns must agree with it.
func wholePersonalData(text string) string {
	names := min(3, len(fullNameRe.FindAllStringIndex(text, -1)))
	lower := strings.ToLower(text)
	switch {
	case names >= 1 && birthRe.MatchString(lower):
		return "имена людей с датами рождения"
	case names >= 3 && childRe.MatchString(lower):
		return "похоже на список детей (воспитанников, учеников)"
	case names >= 2 && patientRe.MatchString(lower):
		return "похоже на сведения о пациентах"
	case names >= 1 && (homeRe.MatchString(lower) || names >= 2 && flatRe.MatchString(lower)):
		return "имена людей с домашними адресами"
	}
	return ""
}

// The patterns run near the words they need: on long pages with personal
// data in the middle, and on pages without it, they say what the patterns
// over the whole text say.
func TestPersonalDataNearAgreesWithWhole(t *testing.T) {
	filler := strings.Repeat("Школа работает в две смены; в каждом классе есть проектор и доска. ", 40)
	bits := []string{
		"Зачислены: Арсеньев Матвей Олегович, Белова Злата Игоревна, Вершинин Тимофей Андреевич.",
		"Петров И. С., 2020 г.р.; Сидорова А. В., 2019 г. р.",
		"Пациент Кузнецов Олег Иванович, палата 4; больной Морозов П. П. выписан.",
		"Ильин Пётр Сергеевич, ул. Ленина, д. 5, кв. 12; Орлова Вера Ивановна, квартира 3.",
		"Дата рождения: 09.05.2012, Гусева Дарья Павловна.",
		"Списки детей группы «Радуга»: Андреев К. Л., Борисова М. Н., Васильев Р. Т.",
		"Директор Алёшина Ольга Петровна, учитель Королёв С. В., заместитель Кузьмина Н. Ф.",
		"Семёнов Г. Д., зарегистрированный по адресу ул. Заречная, 4.",
		"История болезни: Лебедев Антон Викторович, Лебедева А. А.",
		"С Рождеством! Поздравляем Тёркину Галину Ивановну.",
	}
	for i, b := range bits {
		for _, text := range []string{b, filler + b, b + filler, filler + b + filler + bits[(i+1)%len(bits)] + filler} {
			it := Item{Body: text}
			got, _ := PersonalData(&it)
			if want := wholePersonalData("\n" + text); got != want {
				t.Errorf("%q…: %q, the whole-text patterns say %q", text[:min(len(text), 80)], got, want)
			}
		}
	}
}

func FuzzPersonalData(f *testing.F) {
	f.Add("Зачислены: Арсеньев Матвей Олегович, Белова Злата Игоревна, Вершинин Тимофей Андреевич")
	f.Add("Петров И. С., 2020 г.р.; Сидорова А. В., 2019 г. р.")
	f.Add("Пациент Кузнецов Олег Иванович, палата 4; пациентка Морозова Ирина Петровна")
	f.Add("Ильин Пётр Сергеевич, ул. Ленина, д. 5, кв. 12\nОрлова Вера Ивановна, кв.3")
	f.Fuzz(func(t *testing.T, text string) {
		it := Item{Body: text}
		got, flagged := PersonalData(&it)
		if flagged != (got != "") {
			t.Fatalf("flagged %v with %q", flagged, got)
		}
		if want := wholePersonalData("\n" + text); got != want && utf8.ValidString(text) {
			t.Fatalf("%q: %q, the whole-text patterns say %q", text, got, want)
		}
	})
}

func TestUndecidedPersonalData(t *testing.T) {
	kids := Item{Key: "/kids", Title: "Зачисление", Body: "Зачислены: Арсеньев Матвей Олегович, Белова Злата Игоревна, Вершинин Тимофей Андреевич"}
	other := kids
	other.Key = "/kids2"
	p := &Plan{Sections: []SectionPlan{{ID: "docs", Items: []Item{kids, {Key: "/about", Title: "О школе"}}}}, Unplaced: []Item{other}}
	if got := UndecidedPersonalData(p, nil); len(got) != 1 || got[0].Item.Key != "/kids" {
		t.Fatalf("undecided: %+v", got)
	}
	if all := PersonalItems(p, nil); len(all) != 2 || all[1].Placed {
		t.Fatalf("flagged: %+v", all)
	}
	title := "новый заголовок"
	if got := UndecidedPersonalData(p, []Override{{Key: "/kids", Title: &title}}); len(got) != 1 {
		t.Errorf("a title edit counted as a decision on personal data")
	}
	for _, ov := range []Override{{Key: "/kids", Section: "docs"}, {Key: "/kids", Exclude: "персональные данные"}} {
		if got := UndecidedPersonalData(p, []Override{ov}); len(got) != 0 {
			t.Errorf("decision %+v not counted: %+v", ov, got)
		}
	}
	auto := Override{Key: "/kids", Section: "docs", Note: "одобрено без проверки"}
	if got := UndecidedPersonalData(p, []Override{auto}); len(got) != 1 {
		t.Errorf("an automatic approval's placement counted as a person's decision on personal data")
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	ex := PersonalExclusions(p, []Override{auto}, "operator:анна", "без проверки", now)
	if len(ex) != 2 || ex[0].Key != "/kids" || ex[1].Key != "/kids2" {
		t.Fatalf("exclusions: %+v", ex)
	}
	for _, o := range ex {
		if !strings.Contains(o.Exclude, "персональные данные") || !strings.Contains(o.Exclude, "спис") || o.Actor != "operator:анна" {
			t.Errorf("exclusion without a readable reason or actor: %+v", o)
		}
	}
	ApplyOverrides(p, ex)
	if got := UndecidedPersonalData(p, ex); len(got) != 0 || len(p.Excluded) != 2 {
		t.Errorf("after the exclusions: undecided %d, excluded %d", len(got), len(p.Excluded))
	}
	fresh := &Plan{Sections: []SectionPlan{{ID: "docs", Items: []Item{kids}}}}
	if ex := PersonalExclusions(fresh, []Override{{Key: "/kids", Section: "docs"}}, "a", "n", now); len(ex) != 0 {
		t.Errorf("a person's decision was overridden: %+v", ex)
	}
}
