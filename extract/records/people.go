package records

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reNameFull = regexp.MustCompile(`^([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s+([А-ЯЁ][а-яё]+)\s+([А-ЯЁ][а-яё]+(?:ич|вна|чна|оглы|кызы))$`)
	// Имя Отчество Фамилия, as some sites write it
	reNameGivenFirst = regexp.MustCompile(`^([А-ЯЁ][а-яё]+)\s+([А-ЯЁ][а-яё]+(?:ич|вна|чна))\s+([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)$`)
	// three capitalised words: a name by its shape, trusted only where
	// the page says a name stands there (a post line follows, a column
	// is headed ФИО)
	reNameShape    = regexp.MustCompile(`^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$`)
	reNameInitials = regexp.MustCompile(`^(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)$`)
)

// IsPersonName reports whether s is a Russian full name (Фамилия Имя
// Отчество) or a surname with initials (Иванов И.И., И.И. Иванов).
func IsPersonName(s string) bool {
	if len(s) > 400 {
		return false // longer than any name, however spaced
	}
	return personName(collapse(s))
}

// personName is IsPersonName of a collapsed text (a line, or a part of
// one cut at a separator and trimmed), which needs no collapsing again.
func personName(s string) bool {
	if len(s) > 400 {
		return false
	}
	s = strings.Trim(s, " ,.;:–—-")
	// both forms start with a capital Cyrillic letter and have two or
	// three words; most lines fail here, before the patterns
	if r, _ := utf8.DecodeRuneInString(s); !(r >= 'А' && r <= 'Я' || r == 'Ё') {
		return false
	}
	if n := strings.Count(s, " "); n < 1 || n > 3 {
		return false
	}
	points, ok := nameLetters(s)
	if !ok {
		return false
	}
	if points == 0 {
		// Фамилия Имя Отчество or Имя Отчество Фамилия: three capitalised
		// words, a patronymic second or third; no initials without a point
		if !capitalisedWords(s, 3) || !(patronymic(s, strings.LastIndexByte(s, ' '), len(s), true) || patronymic(s, strings.IndexByte(s, ' '), strings.LastIndexByte(s, ' '), false)) {
			return false
		}
		return reNameFull.MatchString(s) || reNameGivenFirst.MatchString(s)
	}
	// points: initials, which the full names do not have
	return reNameInitials.MatchString(s+".") || reNameInitials.MatchString(s)
}

// nameLetters reports whether s is written only with what the name
// patterns read (Russian letters, hyphens, points and spaces; s is
// collapsed), and how many points it has. Most lines fail here, before
// the patterns.
func nameLetters(s string) (points int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-':
		case c == '.':
			points++
		case c == 0xD0 && i+1 < len(s) && (s[i+1] >= 0x90 && s[i+1] <= 0xBF || s[i+1] == 0x81): // А-п, Ё
			i++
		case c == 0xD1 && i+1 < len(s) && (s[i+1] >= 0x80 && s[i+1] <= 0x8F || s[i+1] == 0x91): // р-я, ё
			i++
		default:
			return 0, false
		}
	}
	return points, true
}

// capitalisedWords reports whether s is n words parted by single spaces,
// each starting with a capital Russian letter (А-Я, Ё).
func capitalisedWords(s string, n int) bool {
	if strings.Count(s, " ") != n-1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (i == 0 || s[i-1] == ' ') && !(i+1 < len(s) && s[i] == 0xD0 && (s[i+1] >= 0x90 && s[i+1] <= 0xAF || s[i+1] == 0x81)) {
			return false
		}
	}
	return true
}

// patronymic reports whether the word of s that ends at end (after the
// space at sp) ends as a patronymic does; turkic (оглы, кызы) tells a
// third word, as reNameFull reads it.
func patronymic(s string, sp, end int, turkic bool) bool {
	if sp < 0 || sp >= end {
		return false
	}
	w := s[sp+1 : end]
	return strings.HasSuffix(w, "ич") || strings.HasSuffix(w, "вна") || strings.HasSuffix(w, "чна") ||
		turkic && (strings.HasSuffix(w, "оглы") || strings.HasSuffix(w, "кызы"))
}

// postWords are the stems of posts in schools, hospitals and local
// government.
var postWords = []string{
	"директор", "заместитель", "зам.", "учитель", "преподаватель", "педагог", "воспитатель", "заведующ",
	"врач", "медицинская сестра", "медсестра", "фельдшер", "акушер", "психолог", "логопед", "дефектолог",
	"библиотекар", "советник", "руководител", "начальник", "глава ", "глава", "председател", "специалист",
	"инспектор", "секретар", "бухгалтер", "методист", "тьютор", "инструктор", "концертмейстер",
	"терапевт", "педиатр", "хирург", "стоматолог", "невролог", "офтальмолог", "кардиолог", "гинеколог",
	"оториноларинголог", "эндокринолог", "рентгенолог", "анестезиолог", "дерматовенеролог", "уролог",
	"психиатр", "фтизиатр", "провизор", "лаборант", "управляющ", "ректор", "проректор", "декан", "старшая",
	"старший", "ведущий", "главный", "консультант", "референт", "помощник", "администратор",
}

// isPost reports whether s reads as a post (short, with a post word).
func isPost(s string) bool {
	if strings.ContainsAny(s, "«»\"“”!?") {
		return false // a quotation or a title, not a post
	}
	if utf8.RuneCountInString(s) > 120 {
		return false // fold keeps the runes: a paragraph needs no folding
	}
	t := fold(s)
	if strings.Contains(t, ":") && !strings.HasPrefix(t, "должность") {
		return false
	}
	return containsAny(t, postWords...)
}

// fieldRules map labels (table headers, «Label:» prefixes of card lines)
// to field names, most specific first.
var fieldRules = []struct {
	field string
	words []string
}{
	{"fio", []string{"фио", "ф.и.о", "ф. и. о", "фамилия"}},
	{"training", []string{"повышени"}},
	{"retraining", []string{"переподготов"}},
	{"experience_total", []string{"общий стаж", "стаж общий", "стаж работы общий"}},
	{"experience", []string{"стаж"}},
	{"category", []string{"категори"}},
	{"degree", []string{"степень", "звание"}},
	{"certificate", []string{"сертификат", "аккредитаци"}},
	{"discipline", []string{"дисциплин", "предмет"}},
	{"education", []string{"образовани"}},
	{"speciality", []string{"специальност", "направлени"}},
	{"qualification", []string{"квалификаци"}},
	{"post", []string{"должност"}},
	{"phone", []string{"телефон", "тел.", "тел ", "контактный номер"}},
	{"email", []string{"e-mail", "email", "e–mail", "эл. почт", "электронн", "почта"}},
	{"schedule", []string{"график", "часы приема", "прием граждан", "время приема", "режим работы"}},
}

// labelField maps a label or header to a staff field, "" if none.
func labelField(label string) string {
	t := fold(collapse(label)) + " "
	if len([]rune(t)) > 80 {
		return ""
	}
	for _, r := range fieldRules {
		if containsAny(t, r.words...) {
			return r.field
		}
	}
	return ""
}

// splitLabel splits «Label: value»; ok is false without a short label.
func splitLabel(s string) (label, value string, ok bool) {
	i := strings.IndexAny(s, ":")
	if i <= 0 || utf8.RuneCountInString(s[:i]) > 60 {
		return "", s, false
	}
	label = strings.TrimSpace(s[:i])
	if label == "" || strings.IndexFunc(label, unicode.IsDigit) >= 0 && !strings.Contains(fold(label), "e-mail") {
		return "", s, false
	}
	return label, strings.TrimSpace(s[i+1:]), true
}

// nameLine reads a line that starts with a name: alone, with its post
// (nameAndPost), or followed by its details («Иванова Мария Петровна -
// Образование: высшее; Категория: высшая; Стаж: 32»), returned as rest.
func nameLine(s string) (name, post, rest string, ok bool) {
	if len(s) > 600 || !hasCapitalCyrillic(s) {
		return "", "", "", false // as nameAndPost says
	}
	s = collapse(s)
	if name, post, ok = collapsedNameAndPost(s); ok {
		return name, post, "", true
	}
	for _, sep := range []string{" - ", " – ", " — ", ", "} {
		i := strings.Index(s, sep)
		if i <= 0 {
			continue
		}
		a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):])
		if !personName(a) {
			continue
		}
		if label, _, has := splitLabel(b); has && labelField(label) != "" && labelField(label) != "fio" {
			return strings.Trim(a, " ,.;:–—-"), "", b, true
		}
	}
	return "", "", "", false
}

// nameAndPost reads a line that holds a name, alone or with its post
// («Иванова Мария Петровна – учитель», «Директор: Петров Иван Сергеевич»,
// «ФИО: Петров Иван Сергеевич»).
func nameAndPost(s string) (name, post string, ok bool) {
	if len(s) > 600 || !hasCapitalCyrillic(s) {
		return "", "", false // a paragraph, or a line with no Russian name
	}
	return collapsedNameAndPost(collapse(s))
}

// collapsedNameAndPost is nameAndPost of a collapsed line.
func collapsedNameAndPost(s string) (name, post string, ok bool) {
	if personName(s) {
		return strings.Trim(s, " ,.;:–—-"), "", true
	}
	if label, value, has := splitLabel(s); has {
		if labelField(label) == "fio" && nameShaped(value) {
			// «ФИО: Новиков Сергей Давидовыч»: the label says a name
			// stands there
			return strings.Trim(value, " ,.;:–—-"), "", true
		}
		if personName(value) {
			lf := labelField(label)
			if lf == "fio" {
				return strings.Trim(value, " ,.;:–—-"), "", true
			}
			if isPost(label) {
				return strings.Trim(value, " ,.;:–—-"), label, true
			}
		}
		if personName(label) && isPost(value) {
			return label, strings.Trim(value, " .;"), true
		}
		// «Ответственный: Савельева Алина Маратовна, начальник отдела»
		if n, p, ok := splitNamePost(value); ok {
			return n, p, true
		}
		return "", "", false
	}
	return splitNamePost(s)
}

// splitNamePost reads «Name – post» or «post – Name».
func splitNamePost(s string) (name, post string, ok bool) {
	for _, sep := range []string{" – ", " — ", " - ", ", "} {
		i := strings.Index(s, sep)
		if i <= 0 {
			continue
		}
		a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):])
		if personName(a) && isPost(b) {
			return strings.Trim(a, " ,.;:–—-"), strings.Trim(b, " .;"), true
		}
		if personName(b) && isPost(a) { // the cheaper test first
			return strings.Trim(b, " ,.;:–—-"), a, true
		}
	}
	return "", "", false
}

// hasCapitalCyrillic reports whether s has a capital Russian letter (А-Я,
// Ё), as every name does.
func hasCapitalCyrillic(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		// А-П are D0 90-9F, Р-Я are D0 A0-AF, Ё is D0 81
		if s[i] == 0xD0 && (s[i+1] >= 0x90 && s[i+1] <= 0xAF || s[i+1] == 0x81) {
			return true
		}
	}
	return false
}

// nameShaped reports whether s is three capitalised Russian words, as a
// full name is; a name with a typo in its patronymic («Давидовыч») or a
// rare one still has this shape.
func nameShaped(s string) bool {
	if len(s) > 200 || !hasCapitalCyrillic(s) {
		return false
	}
	s = strings.Trim(collapse(s), " ,.;:–—-")
	if !capitalisedWords(s, 3) {
		return false
	}
	if points, ok := nameLetters(s); !ok || points > 0 {
		return false
	}
	return len(s) < 200 && reNameShape.MatchString(s)
}

// honourWords start titles and awards, which are never a post
// («Заслуженный учитель РФ», «Почётный работник общего образования»).
var honourWords = []string{"заслуженн", "почетн", "народн", "отличник", "лауреат", "победител", "призер", "награжд", "ветеран", "кавалер"}

func isHonour(s string) bool {
	t := fold(strings.TrimSpace(s))
	for _, w := range honourWords {
		if strings.HasPrefix(t, w) {
			return true
		}
	}
	return false
}

// qualifierWords start the parts of a description that say more than the
// post: category, degree, experience, honours («Врач-кардиолог высшей
// квалификационной категории, кандидат медицинских наук. Стаж работы
// более 20 лет»).
var qualifierWords = []string{"высшей", "высшая", "первой", "первая", "второй", "вторая", "без категори", "квалификационн",
	"категори", "кандидат", "доктор", "профессор", "доцент", "стаж", "опыт работы", "заслуженн", "почетн", "отличник",
	"образование", "член ", "академик"}

// cleanPost keeps the post of a description line: its first sentence,
// without the parts that are qualifications. It returns "" when no post
// is left.
func cleanPost(s string) string {
	s = collapse(s)
	if len([]rune(s)) > 200 {
		return "" // a paragraph about the person, not a post line
	}
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, " .;")
	var kept []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		t := fold(part)
		cut := len(part)
		for _, w := range qualifierWords {
			if i := strings.Index(t, w); i >= 0 && i < cut && (i == 0 || t[i-1] == ' ') {
				cut = i
			}
		}
		part = strings.TrimSpace(part[:cut])
		if cut < len(t) && part == "" {
			break // the qualifications start here: what follows is more of them
		}
		if part != "" {
			kept = append(kept, part)
		}
		if cut < len(t) {
			break
		}
	}
	out := strings.Join(kept, ", ")
	if !isPost(out) || !postLead(out) {
		return ""
	}
	return out
}

// postLead reports whether one of the first two words of s is a post
// («Заместитель директора», «Сосудистый хирург»), not a word that only
// shares a stem with one («Организация учебно-воспитательного процесса»).
func postLead(s string) bool {
	words := strings.FieldsFunc(fold(s), func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '–' })
	for i, w := range words {
		if i == 2 {
			break
		}
		for _, p := range postWords {
			p = strings.TrimSpace(p)
			if rest := w[min(len(p), len(w)):]; strings.HasPrefix(w, p) && !containsAnyPrefix(rest, "ьн", "ич", "еб", "ск") {
				return true // «воспитатель», not «воспитательного», «педагогический»
			}
		}
	}
	return false
}

// pluralPosts are the plural heads of section headings («Учителя
// начальных классов», «ПРЕПОДАВАТЕЛИ») with their singular.
var pluralPosts = []struct{ plural, singular string }{
	{"учителя", "учитель"}, {"преподаватели", "преподаватель"}, {"педагоги", "педагог"}, {"воспитатели", "воспитатель"},
	{"врачи", "врач"}, {"специалисты", "специалист"}, {"методисты", "методист"}, {"логопеды", "логопед"},
	{"психологи", "психолог"}, {"тренеры", "тренер"}, {"концертмейстеры", "концертмейстер"}, {"медицинские сестры", "медицинская сестра"},
	{"заместители директора", "заместитель директора"}, {"педагоги дополнительного образования", "педагог дополнительного образования"},
}

// headingPost reads a section heading as the post of the people under it:
// «Учителя математики» is «учитель математики», «ПРЕПОДАВАТЕЛИ ШКОЛЫ
// ИСКУССТВ» «преподаватель школы искусств». It returns "" for headings that
// name no post in the plural.
func headingPost(h string) string {
	h = strings.Trim(collapse(h), " .:;")
	t := fold(h)
	if len([]rune(t)) > 80 {
		return ""
	}
	best := -1
	for i, p := range pluralPosts {
		if (t == p.plural || strings.HasPrefix(t, p.plural+" ")) && (best < 0 || len(p.plural) > len(pluralPosts[best].plural)) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return pluralPosts[best].singular + t[len(pluralPosts[best].plural):]
}

func containsAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
