package mapping

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// recordNames are the structured records' types as a person calls them.
var recordNames = map[string]string{
	"sveden": "Основные сведения", "contact": "Контакты", "news": "Новость", "document": "Документ",
	"teachingStaff": "Педагог", "rucovodstvo": "Руководитель", "rucovodstvoZam": "Заместитель руководителя",
	"rucovodstvoFil": "Руководитель филиала", "structOrgUprav": "Орган управления", "uchredLaw": "Учредитель",
	"filInfo": "Филиал", "repInfo": "Представительство",
	"eduAccred": "Образовательная программа", "eduOp": "Образовательная программа", "vacant": "Вакантные места",
	"meals": "Питание", "volume": "Объём образовательной деятельности", "finRec": "Поступление и расходование средств",
	"purposeCab": "Учебный кабинет", "purposePrac": "Объект для практических занятий", "purposeLibr": "Библиотека",
	"purposeSport": "Спортивный объект", "internationalDog": "Договор с иностранной организацией",
	"grant": "Стипендии и меры поддержки", "paidEdu": "Платные услуги", "staff": "Сотрудник", "doctor": "Врач",
	"schedule": "Расписание", "event": "Событие", "person": "Сотрудник", "addRef": "Продолжение подраздела",
}

// RecordKindName is a record type as a person calls it («Педагог» for
// teachingStaff), or «Сведения» for a type it does not know.
func RecordKindName(typ string) string {
	if n, ok := recordNames[typ]; ok {
		return n
	}
	return "Сведения"
}

// contactLabels name a contact record by the detail it gives.
var contactLabels = []struct{ field, label string }{
	{"address", "Адрес"}, {"phone", "Телефон"}, {"email", "Электронная почта"}, {"worktime", "Режим работы"},
}

// recordTitle names a record for a person: its kind in words and its main
// value («Педагог: Алёшина Ольга Петровна», «Телефон: 8 (3955) 52-17-07»).
// A staff record is named by what its post makes it; post is the section
// its post sends it to ("" when none).
func recordTitle(typ string, fields map[string]string, postSection string) string {
	if typ == "contact" {
		for _, c := range contactLabels {
			if v := strings.TrimSpace(fields[c.field]); v != "" {
				return c.label + ": " + v
			}
		}
	}
	kind := RecordKindName(typ)
	if typ == "staff" || typ == "person" {
		switch postSection {
		case "sveden/managers":
			kind = "Руководитель"
		case "sveden/employees":
			kind = "Педагог"
		case "med/staff":
			kind = "Врач"
		}
	}
	if v := recordValue(fields); v != "" {
		return kind + ": " + v
	}
	return kind
}

// recordValue is a record's main value: a name, a title, an address.
func recordValue(fields map[string]string) string {
	for _, k := range []string{"fio", "name", "title", "nameUchred", "objName", "eduName", "post", "address"} {
		if v := strings.TrimSpace(fields[k]); v != "" {
			return v
		}
	}
	return ""
}

// recordSourceTitle is the title records had before they were named in
// Russian («teachingStaff: Алёшина О. П.»): what SourceHash fingerprints,
// so that review decisions made before keep their source.
func recordSourceTitle(typ string, fields map[string]string) string {
	if v := recordValue(fields); v != "" {
		return typ + ": " + v
	}
	return typ
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// shown is a URL as a person reads it in a reason: its escapes decoded
// (/сведения/фхд.html, not /%D1%81%D0%B2…), when they decode to text.
func shown(u string) string {
	d, err := url.PathUnescape(u)
	if err != nil || !utf8.ValidString(d) || strings.ContainsFunc(d, unicode.IsControl) {
		return u
	}
	return d
}
