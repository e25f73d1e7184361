package mapping

import (
	"regexp"
	"strings"
)

// Personal data (152-ФЗ). Old school and hospital sites often publish what
// the law forbids publishing without consent: lists of children enrolled or
// in groups, patients, birth dates, private persons' home addresses. Such
// an item carries a flag (Item.PersonalData, with why) for the admin's
// decision; the review does not approve a site while a flagged item is
// placed without one.

var (
	// A full name: surname, name and patronymic (Иванов Пётр Сергеевич),
	// or a surname with initials (Иванов П. С., П. С. Иванов).
	fullNameRe = regexp.MustCompile(`[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична|оглы|кызы)(?:[^а-яё]|$)|[А-ЯЁ][а-яё]{1,}\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+`)
	birthRe    = regexp.MustCompile(`(?i)(дата|год|день|место)\s+рожд|(?:^|[^а-яё])г\.\s?р\.|\d{4}\s*г\.?\s*р\.|(?:^|[^а-яё])д\.\s?р\.|родил(ся|ась)`)
	childRe    = regexp.MustCompile(`(?i)зачисл|списо?к\S*\s+(детей|воспитанник|учащ|обучающ|учеников|первоклассник)|воспитанник|ребён|ребен|первоклассник|будущ\S*\s+первоклассник`)
	patientRe  = regexp.MustCompile(`(?i)пациент|больн(ой|ого|ому|ым|ая|ую|ых|ые)(?:[^а-яё]|$)|диагноз|госпитализ|истори\S*\s+болезни|выписан|палат[аеуы]?(?:[^а-яё]|$)`)
	homeRe     = regexp.MustCompile(`(?i)проживающ|место\s+жительства|адрес\s+проживания|домашн\S*\s+адрес|прописк|зарегистрирован\S*\s+по\s+адресу`)
	flatRe     = regexp.MustCompile(`(?i)(?:^|[^а-яё])кв\.\s?\d+|квартира\s+\d+`)
)

// PersonalData says whether an item looks like it lists private persons'
// personal data, and why, in words for the admin. Lists of staff (names
// with posts, as the law requires schools and clinics to publish) are not
// flagged; names together with children, patients, birth dates or home
// addresses are.
func PersonalData(it *Item) (why string, flagged bool) {
	var b strings.Builder
	b.WriteString(it.Title)
	b.WriteString("\n")
	b.WriteString(it.Body)
	for _, v := range it.Fields {
		b.WriteString("\n")
		b.WriteString(v)
	}
	text := b.String()
	names := len(fullNameRe.FindAllStringIndex(text, -1))
	switch {
	case names >= 1 && birthRe.MatchString(text):
		return "имена людей с датами рождения", true
	case names >= 3 && childRe.MatchString(text):
		return "похоже на список детей (воспитанников, учеников)", true
	case names >= 2 && patientRe.MatchString(text):
		return "похоже на сведения о пациентах", true
	case names >= 1 && (homeRe.MatchString(text) || len(flatRe.FindAllStringIndex(text, -1)) >= 1 && names >= 2):
		return "имена людей с домашними адресами", true
	}
	return "", false
}

// flagPersonalData sets the personal-data flag of every item of the plan
// from what it holds now.
func (p *Plan) flagPersonalData() {
	p.eachItem(func(it *Item) { it.PersonalData, _ = PersonalData(it) })
}
