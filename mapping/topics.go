package mapping

// freeTopics are what legacy sites of schools and kindergartens have pages
// on that the law does not mandate (labour protection, safety, exams,
// schedules, the psychologist, mentoring, achievements, pages for an
// audience). A page named by one of them is a free page where the old menu
// had it even when that menu files it inside «Сведения» («Сведения об ОО»
// › «Документы» › «Охрана труда»): its name says what it is, and that is
// not the subsection. A page whose name says nothing of the kind
// («Начальная школа», «Кабинет химии») is the subsection's, there.
var freeTopics = newPhrases([]string{
	"охрана труда", "безопасность", "антитеррор", "антитеррористическая защищенность", "гражданская оборона",
	"дорожное движение", "пдд",
	"наставничество", "достижения", "конкурсы", "олимпиады", "фестивали", "концерты",
	"гиа", "егэ", "огэ", "экзамены", "итоговая аттестация", "аттестация педагогических работников",
	"расписание", "звонки", "психолог", "психологическая помощь", "психологическая служба",
	"родителям", "ученикам", "выпускникам", "профсоюз", "профсоюзная организация",
	"галерея", "фотоальбом", "история", "музей", "воспитательная работа", "методическая работа",
	"кружки", "секции", "лагерь", "летний отдых",
	"профориентация", "точка роста", "спортивный клуб", "шск", "проектная деятельность", "волонтерство", "волонтеры",
	"юнармия", "движение первых", "рдш", "служба примирения", "медиация", "социальный педагог", "логопед", "библиотека",
})

// topicSections are the free topics that are a mandated section's own
// matter when the old menu files them under it: a library under
// «Материально-техническое обеспечение» is one of its objects, and a
// free page under «Образование» or «Ученикам».
var topicSections = map[string]string{"библиотека": "sveden/objects"}

// namesFreeTopic reports whether the page's title or menu item names one
// of freeTopics that is not the matter of section (topicSections).
func (c *classifier) namesFreeTopic(pc *pageCase, section string) bool {
	names := append(c.pageTitles(pc.d), c.menus[pc.key]...)
	for _, n := range names {
		st := c.st.stems(n)
		for _, p := range freeTopics {
			if subsequence(st, p.stems) && topicSections[p.text] != section {
				return true
			}
		}
	}
	return false
}
