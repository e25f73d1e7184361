package mapping

import (
	"testing"

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
