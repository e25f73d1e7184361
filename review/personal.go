package review

import (
	"regexp"
	"strings"

	"perenos/mapping"
)

// Personal data (152-ФЗ). Old school and hospital sites often publish what
// the law forbids publishing without consent: lists of children enrolled or
// in groups, patients, birth dates, private persons' home addresses. Such
// an item is flagged for the admin's decision, and a site is not approved
// while a flagged item is placed without one.
//
// The detector belongs with the classification in mapping; it is here
// until mapping gives items a typed flag of their own.

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
func PersonalData(it *mapping.Item) (why string, flagged bool) {
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

// PersonalItem is a placed or unplaced item that looks like personal data.
type PersonalItem struct {
	Item    mapping.Item
	Why     string
	Decided bool // the admin moved, kept or excluded it
	Placed  bool // it would be uploaded as the plan stands
}

// PersonalItems lists the plan's items that look like personal data, with
// whether a person has decided on each. Excluded items are not listed:
// they are not uploaded.
func PersonalItems(p *mapping.Plan, ovs []mapping.Override) []PersonalItem {
	decided := map[string]bool{}
	for _, o := range ovs {
		if o.Section != "" || o.Exclude != "" {
			decided[o.Key] = true
		}
	}
	var out []PersonalItem
	add := func(it mapping.Item, placed bool) {
		if why, ok := PersonalData(&it); ok {
			out = append(out, PersonalItem{Item: it, Why: why, Decided: decided[it.Key], Placed: placed})
		}
	}
	for _, s := range p.Sections {
		for _, it := range s.Items {
			add(it, true)
		}
	}
	for _, it := range p.Unplaced {
		add(it, false)
	}
	return out
}

// UndecidedPersonalData lists the items that would be uploaded although
// they look like personal data and nobody decided on them. A site must not
// be approved while this is not empty (automatic approval included).
func UndecidedPersonalData(p *mapping.Plan, ovs []mapping.Override) []PersonalItem {
	var out []PersonalItem
	for _, pi := range PersonalItems(p, ovs) {
		if pi.Placed && !pi.Decided {
			out = append(out, pi)
		}
	}
	return out
}
