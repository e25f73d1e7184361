package review

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"perenos/mapping"
	"perenos/store"
)

// Plural picks the Russian form of a noun that agrees with n: one for 1,
// 21, 101 («1 сайт»), few for 2–4, 22–24 («2 сайта»), many for 0, 5–20,
// 25–30 and 11–14 («5 сайтов», «11 сайтов»).
func Plural(n int, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	switch d, h := n%10, n%100; {
	case h >= 11 && h <= 14:
		return many
	case d == 1:
		return one
	case d >= 2 && d <= 4:
		return few
	}
	return many
}

// Count is n followed by the agreeing form of a noun: «2 файла».
func Count(n int, one, few, many string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, one, few, many))
}

var typeNames = map[store.OrgType]string{
	store.School: "школа", store.Preschool: "детский сад", store.Medical: "медицинская организация", store.Municipal: "орган местного самоуправления",
}

var stateNames = map[store.State]string{
	store.Registered: "зарегистрирован", store.Crawled: "сайт скачан", store.Extracted: "содержимое извлечено",
	store.Mapped: "размещено по разделам", store.InReview: "на проверке", store.Approved: "одобрено",
	store.Uploaded: "загружено на портал", store.Verified: "проверено на портале", store.ActIssued: "акт выдан",
	store.ActSigned: "акт подписан", store.Failed: "ошибка",
}

// StateName is a site's state as people read it.
func StateName(s store.State) string {
	return nameOr(stateNames[s], "состояние не известно")
}

var kindNames = map[string]string{mapping.KindPage: "страница", mapping.KindDocument: "документ", mapping.KindRecord: "сведения", mapping.KindNews: "новость"}

// stageNames are the batch stages as the operator's buttons and jobs name them.
var stageNames = map[string]string{
	"crawl": "Скачивание сайтов", "extract": "Извлечение содержимого", "map": "Размещение по разделам",
	"run": "Скачивание, извлечение и размещение", "upload": "Загрузка на портал", "verify": "Проверка на портале",
	"review": "Проверка администратором", "approve": "Одобрение", "act": "Акт", "sign": "Подписание акта",
}

// StageName is a batch stage as people read it.
func StageName(stage string) string { return nameOr(stageNames[stage], "этап «"+stage+"»") }

// statusTitles head the error pages.
var statusTitles = map[int]string{
	http.StatusBadRequest: "Неверный запрос", http.StatusUnauthorized: "Нужно войти", http.StatusForbidden: "Доступ запрещён",
	http.StatusNotFound: "Страница не найдена", http.StatusMethodNotAllowed: "Такое действие здесь невозможно",
	http.StatusConflict: "Изменение невозможно", http.StatusGone: "Ссылка больше не действует",
	http.StatusRequestEntityTooLarge: "Слишком большой файл", http.StatusTooManyRequests: "Слишком много попыток",
	http.StatusInternalServerError: "Внутренняя ошибка",
}

// StatusTitle is the heading of an error page for an HTTP status.
func StatusTitle(code int) string { return nameOr(statusTitles[code], "Ошибка") }

// recordNames are the structured records' types, as a person calls them.
var recordNames = map[string]string{
	"sveden": "Основные сведения", "contact": "Контакты", "news": "Новость", "document": "Документ",
	"teachingStaff": "Педагог", "rucovodstvo": "Руководитель", "rucovodstvoZam": "Заместитель руководителя",
	"rucovodstvoFil": "Руководитель филиала", "structOrgUprav": "Орган управления", "uchredLaw": "Учредитель",
	"eduAccred": "Образовательная программа", "eduOp": "Образовательная программа", "vacant": "Вакантные места",
	"meals": "Питание", "volume": "Объём образовательной деятельности", "finRec": "Поступление и расходование средств",
	"purposeCab": "Учебный кабинет", "purposeLibr": "Библиотека", "purposeSport": "Спортивный объект",
	"grant": "Стипендии и меры поддержки", "paidEdu": "Платные услуги", "staff": "Сотрудник", "doctor": "Врач",
	"schedule": "Расписание", "event": "Событие", "person": "Сотрудник",
}

// fieldNames are the records' fields, as a person calls them.
var fieldNames = map[string]string{
	"fio": "ФИО", "name": "Название", "title": "Название", "post": "Должность", "telephone": "Телефон", "phone": "Телефон",
	"email": "Электронная почта", "address": "Адрес", "addressStr": "Адрес", "addressPlace": "Адрес", "workTime": "Режим работы",
	"fullName": "Полное наименование", "shortName": "Сокращённое наименование", "regDate": "Дата создания",
	"nameUchred": "Учредитель", "addressUchred": "Адрес учредителя", "telUchred": "Телефон учредителя", "mailUchred": "Почта учредителя",
	"websiteUchred": "Сайт учредителя", "date": "Дата", "url": "Ссылка", "kind": "Вид", "itemprop": "Вид сведений",
	"qualification": "Повышение квалификации", "specExperience": "Стаж по специальности", "genExperience": "Общий стаж",
	"teachingDiscipline": "Преподаваемые дисциплины", "teachingLevel": "Образование", "degree": "Учёная степень",
	"academStat": "Учёное звание", "eduName": "Программа", "eduLevel": "Уровень образования", "eduForm": "Форма обучения",
	"learningTerm": "Срок обучения", "addressPlaceSet": "Места осуществления деятельности", "text": "Текст", "body": "Текст",
	"objName": "Объект", "objAddress": "Адрес объекта", "objSq": "Площадь", "objCnt": "Количество мест",
}

// FieldName is a record's field as a person calls it.
func FieldName(key string) string { return nameOr(fieldNames[key], "Поле «"+key+"»") }

// Label is how an item is named to a person: its title, and for a record
// the record's kind in words before its value («Педагог: Алёшина О. П.»),
// never the machine's type name (`teachingStaff: …`, `sveden`).
func Label(it *mapping.Item) string {
	if it.Kind != mapping.KindRecord {
		if strings.TrimSpace(it.Title) == "" {
			return nameOr(it.FileName, "без названия")
		}
		return it.Title
	}
	kind := nameOr(recordNames[it.DocKind], "Сведения")
	value := strings.TrimSpace(it.Title)
	if it.DocKind != "" {
		if value == it.DocKind {
			value = ""
		}
		value = strings.TrimSpace(strings.TrimPrefix(value, it.DocKind+":"))
	}
	if value == "" || value == kind {
		return kind
	}
	return kind + ": " + value
}

// recordKindRe finds the record type the mapping quotes in a reason.
var recordKindRe = regexp.MustCompile(`запись вида «([A-Za-z]+)»`)

// Reason is a placement reason as a person reads it: the record types the
// mapping quotes are put in words.
func Reason(s string) string {
	return recordKindRe.ReplaceAllStringFunc(s, func(m string) string {
		k := recordKindRe.FindStringSubmatch(m)[1]
		if n, ok := recordNames[k]; ok {
			return "запись вида «" + lowerFirst(n) + "»"
		}
		return "запись"
	})
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

// Actor is who did something, as the event log's reader calls them.
func Actor(a string) string {
	switch {
	case a == "operator": // report's and the stages' default actor
		return "оператор"
	case strings.HasPrefix(a, "operator:"):
		return "оператор " + strings.TrimPrefix(a, "operator:")
	case strings.HasPrefix(a, "admin:"):
		rest := strings.TrimPrefix(a, "admin:")
		if i := strings.Index(rest, " ("); i >= 0 {
			return "администратор организации" + rest[i:]
		}
		return "администратор организации"
	}
	return a
}
