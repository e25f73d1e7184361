package records

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata/realpages are pages written for this project in
// the shapes real legacy sites use (issue 19, points 1-8).

func extractFile(t *testing.T, name string) []Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "realpages", name))
	if err != nil {
		t.Fatal(err)
	}
	return Extract("https://school.example/sveden/"+strings.TrimSuffix(name, ".html")+".html", parse(t, string(data)), Options{CrawlDate: "2024-03-15"})
}

// staffByName indexes the staff records by fio, failing on duplicates.
func staffByName(t *testing.T, recs []Record) map[string]Record {
	t.Helper()
	out := map[string]Record{}
	for _, r := range ofType(recs, "staff") {
		if _, dup := out[r.Fields["fio"]]; dup {
			t.Errorf("%s found twice", r.Fields["fio"])
		}
		out[r.Fields["fio"]] = r
	}
	return out
}

func wantStaff(t *testing.T, got map[string]Record, want map[string]map[string]string) {
	t.Helper()
	for name, fields := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("%s missed (staff found: %v)", name, keys(got))
			continue
		}
		wantFields(t, r, fields)
	}
	if len(got) != len(want) {
		t.Errorf("%d staff found, want %d: %v", len(got), len(want), keys(got))
	}
}

func keys(m map[string]Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Point 1: people written as lines under a subject heading.
func TestStaffLinesUnderHeadings(t *testing.T) {
	recs := extractFile(t, "lines.html")
	wantStaff(t, staffByName(t, recs), map[string]map[string]string{
		"Иванова Мария Петровна":  {"post": "учитель начальных классов", "education": "высшее", "category": "высшая", "experience": "32"},
		"Петрова Анна Сергеевна":  {"post": "учитель начальных классов", "education": "среднее специальное", "category": "первая", "experience": "12"},
		"Ковалёва Ольга Игоревна": {"post": "учитель начальных классов", "category": "без категории", "experience": "2"},
		"Сидоров Павел Иванович":  {"post": "учитель математики", "experience": "20"},
		"Орлова Дарья Андреевна":  {"post": "учитель математики и информатики"},
	})
	if n := ofType(recs, "news"); len(n) != 0 {
		t.Errorf("news from a staff page: %v", n)
	}
}

// Point 2: cards whose name is split by a line break, and cards whose
// description line holds the post with qualifications after it.
func TestStaffCardsSplitNamesAndDescriptions(t *testing.T) {
	recs := extractFile(t, "cards.html")
	wantStaff(t, staffByName(t, recs), map[string]map[string]string{
		"Соколова Ирина Викторовна": {"post": "Врач", "speciality": "терапия"},
		"Зайцев Олег Николаевич":    {"post": "Заведующий отделением", "speciality": "хирургия"},
		"Лебедева Анна Сергеевна":   {"post": "Врач", "speciality": "педиатрия"},
		"Громов Пётр Ильич":         {"post": "Врач-кардиолог"},
		"Дьякова Эльвира Рашидовна": {"post": "Невролог, рефлексотерапевт"},
		"Корнеев Артём Давидовыч":   {"post": "Уролог"},
	})
}

// Point 3: label/value rows, one small table per person, names as the
// page writes them.
func TestStaffLabelValueRows(t *testing.T) {
	recs := extractFile(t, "rows.html")
	wantStaff(t, staffByName(t, recs), map[string]map[string]string{
		"Ольга Павловна Кузнецова": {"post": "Заведующий", "phone": "+73952203040", "email": "ds5@example.ru"},
		// under «ФИО» a name is trusted by its shape, typo and all
		"Новиков Сергей Давидовыч": {"post": "Заместитель заведующего по АХЧ", "phone": "+73952203041", "email": "ahch@example.ru"},
	})
	if c := ofType(recs, "contact"); len(c) != 0 {
		t.Errorf("the people's phones and e-mails became the page's contacts: %v", c)
	}
}

// Point 4: a post line anywhere in the card, a section heading carried to
// the cards under it, an honour never a post.
func TestStaffPostsFromCardsAndHeadings(t *testing.T) {
	recs := extractFile(t, "headings.html")
	wantStaff(t, staffByName(t, recs), map[string]map[string]string{
		"Морозова Елена Ивановна":  {"post": "Директор"},
		"Волков Андрей Николаевич": {"post": "преподаватель школы искусств", "experience": "25 лет"},
		"Белова Наталья Олеговна":  {"post": "Учитель русского языка"},
		"Егорова Вера Павловна":    {"post": "преподаватель школы искусств"},
	})
}

// Point 5: documents stored elsewhere are document records with their
// link, flagged for the admin; never news.
func TestDocumentsStoredElsewhere(t *testing.T) {
	recs := extractFile(t, "elsewhere.html")
	docs := ofType(recs, "document")
	want := map[string]string{
		"https://drive.google.com/file/d/1AbCdEf/view?usp=sharing": "drive.google.com",
		"https://disk.yandex.ru/i/XyZ123":                          "disk.yandex.ru",
		"https://docs.google.com/document/d/2dEfGh/edit":           "docs.google.com",
		"https://cdn.region-edu.example/files/sch5/ustav.pdf":      "cdn.region-edu.example",
		"https://school.example/docs/local.pdf":                    "",
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d: %v", len(docs), len(want), docs)
	}
	for _, d := range docs {
		host, ok := want[d.Fields["url"]]
		if !ok {
			t.Errorf("unexpected document %v", d.Fields)
			continue
		}
		if d.Fields[ElsewhereField] != host {
			t.Errorf("%s: %s = %q, want %q", d.Fields["url"], ElsewhereField, d.Fields[ElsewhereField], host)
		}
	}
	wantFields(t, docs[0], map[string]string{"title": "Приказ от 01.09.2023 № 45 «Об организации питания»", "date": "2023-09-01", "kind": "order"})
	wantFields(t, docs[1], map[string]string{"title": "Положение о языке обучения (утв. 30.08.2023)"})
	if n := ofType(recs, "news"); len(n) != 0 {
		t.Errorf("documents read as news: %v", n)
	}
}

// Point 6: titles from the surrounding text, not «Смотреть» or a file name.
func TestDocumentTitlesFromContext(t *testing.T) {
	recs := extractFile(t, "titles.html")
	got := map[string]string{}
	for _, d := range ofType(recs, "document") {
		got[strings.TrimPrefix(d.Fields["url"], "https://school.example")] = d.Fields["title"]
	}
	for u, title := range map[string]string{
		"/docs/pvr.pdf":             "Правила внутреннего распорядка обучающихся",
		"/docs/priem.pdf":           "Положение о приёме обучающихся",
		"/docs/ustav.pdf":           "Устав школы",
		"/docs/lic.pdf":             "лицензия на осуществление образовательной деятельности (с приложениями)",
		"/docs/order.pdf":           "приказ о мерах по предупреждению коррупции",
		"/docs/prikaz_1klass.jpg":   "Приказ об организации приема заявлений в 1 класс",
		"/docs/local_acts/rasp.pdf": "Правила внутреннего трудового распорядка",
		"/docs/open.pdf":            "Положение о родительском комитете",
	} {
		if got[u] != title {
			t.Errorf("%s: title %q, want %q", u, got[u], title)
		}
	}
	if len(got) != 8 {
		t.Errorf("%d documents, want 8: %v", len(got), got)
	}
}

// Point 7: values without their labels, addresses across line breaks,
// phones with spaced dashes.
func TestContactValuesClean(t *testing.T) {
	recs := extractFile(t, "values.html")
	sv := ofType(recs, "sveden")
	if len(sv) != 1 {
		t.Fatalf("sveden records: %v", sv)
	}
	wantFields(t, sv[0], map[string]string{
		"email":     "school5@example.ru",
		"telephone": "8 (42352) 3 – 94 – 08", // as written, without its label
		"address":   "692800, Приморский край, г. Большой Камень, ул. Ленина, д. 5",
	})
	var addr, hours, phones []string
	for _, c := range ofType(recs, "contact") {
		if v := c.Fields["address"]; v != "" {
			addr = append(addr, v)
		}
		if v := c.Fields["worktime"]; v != "" {
			hours = append(hours, v)
		}
		if v := c.Fields["phone"]; v != "" {
			phones = append(phones, v)
		}
	}
	for _, want := range []string{"г. Артём, Россия, ул. Кирова, 48", "ул. Садовая, 12"} {
		if !contains(addr, want) {
			t.Errorf("address %q not found in %q", want, addr)
		}
	}
	for _, want := range []string{"Понедельник - пятница: с 08:00 до 17:00; Суббота: с 09:00 до 13:00; Воскресенье: выходной",
		"секретарь 08:00 – 16:00; директор 09:00 – 18:00", "Понедельник – с 10.00 до 13.00; Четверг — с 10.00 до 12.00"} {
		if !contains(hours, want) {
			t.Errorf("hours %q not found in %q", want, hours)
		}
	}
	if len(hours) != 3 {
		t.Errorf("%d hours, want 3 (a link «Режим работы школы» is not hours): %q", len(hours), hours)
	}
	if !contains(phones, "+74233741230") {
		t.Errorf("phone with spaced dashes not read: %q", phones)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Point 8: no news from teachers' birthdays or a law's date; a dated
// announcement still is news.
func TestNoInventedNews(t *testing.T) {
	recs := extractFile(t, "news.html")
	news := ofType(recs, "news")
	var titles []string
	for _, n := range news {
		titles = append(titles, n.Fields["title"])
	}
	if len(news) != 2 || !contains(titles, "Родительское собрание в 9 классах") || !contains(titles, "Итоги олимпиады по математике") {
		t.Errorf("news: %q, want the two announcements only", titles)
	}
}

// A card with sentences about the person keeps the phone and e-mail below
// them; a number given again as the fax is one phone.
func TestStaffCardWithDescription(t *testing.T) {
	recs := extractFile(t, "described.html")
	wantStaff(t, staffByName(t, recs), map[string]map[string]string{
		"Зимина Наталья Владимировна": {"post": "Заместитель директора по УВР", "phone": "+78635423840", "email": "zam@school.example"},
		"Кравцова Елена Олеговна":     {"post": "Методист"},
	})
	c := ofType(recs, "contact")
	if len(c) != 1 || c[0].Fields["phone"] != "+78635423828" {
		t.Errorf("contacts %v, want the one phone of the school", c)
	}
}
