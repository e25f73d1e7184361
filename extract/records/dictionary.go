package records

import "strings"

// The official itemprop dictionary (Методические рекомендации v9, see
// shared/domain/sections.md §1.3), in its official spelling.
var officialProps = []string{
	// common
	"copy", "fullName", "shortName", "regDate", "address", "workTime", "telephone", "email",
	"licenseDocLink", "accreditationDocLink", "addressPlaceSet", "addressPlacePrac", "addressPlacePodg",
	"addressPlaceGia", "addressPlaceDop", "addressPlaceOppo",
	"nameUchred", "addressUchred", "telUchred", "mailUchred", "websiteUchred",
	// struct
	"name", "fio", "post", "addressStr", "site", "divisionClauseDocLink",
	"nameFil", "fioFil", "postFil", "addressFil", "emailFil", "websiteFil",
	"nameRep", "fioRep", "postRep", "addressRep", "emailRep", "websiteRep",
	// document
	"ustavDocLink", "localActStud", "localActOrder", "localActCollec", "reportEduDocLink",
	"prescriptionDocLink", "priemDocLink", "modeDocLink", "tekKontrolDocLink", "perevodDocLink", "vozDocLink",
	// education
	"eduCode", "eduName", "eduProf", "eduLevel", "eduForm", "learningTerm", "eduPred", "eduPrac",
	"languageEl", "eduChislenEl", "eduPriemEl", "eduPerevodEl", "opMain", "educationPlan", "educationRpd",
	"educationShedule", "eduPr", "methodology", "perechenNir", "napravNir", "resultNir", "baseNir", "v1", "t1",
	// standards
	"eduFedDoc", "eduStandartDoc", "eduFedTreb", "eduStandartTreb",
	// staff
	"teachingDiscipline", "teachingLevel", "degree", "academStat", "qualification", "profDevelopment",
	"specExperience", "teachingOp",
	// objects
	"addressCab", "nameCab", "osnCab", "ovzCab", "addressPrac", "namePrac", "osnPrac", "ovzPrac",
	"objName", "objAddress", "objOvz", "ovz", "purposeFacil", "purposeFacilOvz", "comNet", "comNetOvz",
	"erList", "erListOvz", "techOvz", "hostelInfo", "interInfo", "hostelNum", "interNum", "hostelNumOvz",
	"interNumOvz", "hostelInterOvz", "localActObSt",
	// grants, paid, budget, vacant, inter, catering
	"grant", "support", "paidEdu", "paidDog", "paidSt", "paidParents",
	"finBFVolume", "finBRVolume", "finBMVolume", "finPVolume", "finYear", "finPost", "finRas", "finPlanDocLink",
	"eduCourse", "numberBFVacant", "numberBRVacant", "numberBMVacant", "numberPVacant",
	"stateName", "orgName", "dogReg", "health",
	"addRef",
}

// mainTags group the itemprops inside them into one record (MR-v9 «главный
// тег»), with the legacy main tags real sites still carry.
var mainTags = []string{
	"uchredLaw", "structOrgUprav", "filInfo", "repInfo", "eduAccred", "eduOp", "eduNir", "graduateJob",
	"rucovodstvo", "rucovodstvoZam", "rucovodstvoFil", "rucovodstvoRep", "teachingStaff",
	"purposeCab", "purposePrac", "purposeLibr", "purposeSport", "volume", "vacant", "internationalDog", "meals",
}

// synonyms map legacy or misspelt itemprops (lower-case) to the official
// name. Case variants (RegDate, Name, Copy, TeachingStaff) need no entry:
// matching is case-insensitive.
var synonyms = map[string]string{
	"shrotname":         "shortName",
	"e-mail":            "email",
	"mail":              "email",
	"phone":             "telephone",
	"tel":               "telephone",
	"worktimes":         "workTime",
	"founderinfo":       "uchredLaw",
	"namefounder":       "nameUchred",
	"addressfounder":    "addressUchred",
	"telfounder":        "telUchred",
	"phonefounder":      "telUchred",
	"mailfounder":       "mailUchred",
	"emailfounder":      "mailUchred",
	"websitefounder":    "websiteUchred",
	"paidedudoclink":    "paidEdu",
	"paiddogdoclink":    "paidDog",
	"paidstdoclink":     "paidSt",
	"volumefinyear":     "finYear",
	"educationschedule": "educationShedule",
	"ustavdoclinck":     "ustavDocLink",
}

// ignoredProps are recognised but carry nothing to migrate.
var ignoredProps = map[string]bool{"copy": true}

var canon = func() map[string]string {
	m := map[string]string{}
	for _, p := range officialProps {
		m[strings.ToLower(p)] = p
	}
	for _, p := range mainTags {
		m[strings.ToLower(p)] = p
	}
	// legacy extra fields kept under their own spelling (sections.md lists
	// them as version drift: accept, never emit to the portal)
	for _, p := range []string{"eduEl", "dateEnd", "eduAdOp", "eduOAccred", "eduPOAccred", "fioPost", "telephoneFil",
		"workTimeFil", "telephoneRep", "workTimeRep", "genExperience", "objSq", "objCnt", "purposeEios", "eoisOwn",
		"eoisSide", "bdec", "interlNumOvz", "localAct", "employeeQualification", "teachingQual", "rucovodstvoRep"} {
		m[strings.ToLower(p)] = p
	}
	for k, v := range synonyms {
		m[k] = v
	}
	return m
}()

var mainTagSet = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range mainTags {
		m[p] = true
	}
	return m
}()

// Canonical returns the official spelling of an itemprop name, following
// case differences and the legacy synonyms; ok is false for names outside
// the dictionary.
func Canonical(itemprop string) (string, bool) {
	c, ok := canon[strings.ToLower(strings.TrimSpace(itemprop))]
	return c, ok
}

// IsMainTag reports whether an official itemprop name groups a record.
func IsMainTag(name string) bool { return mainTagSet[name] }

// linkProps are itemprops whose value is a link (a document or a page).
var linkProps = map[string]bool{
	"opMain": true, "educationPlan": true, "educationRpd": true, "educationShedule": true, "eduPr": true,
	"methodology": true, "languageEl": true, "eduChislenEl": true, "eduPriemEl": true, "eduPerevodEl": true,
	"eduFedDoc": true, "eduStandartDoc": true, "eduFedTreb": true, "eduStandartTreb": true, "erList": true,
	"erListOvz": true, "paidEdu": true, "paidDog": true, "paidSt": true, "localActStud": true,
	"localActOrder": true, "localActCollec": true, "addRef": true, "localActObSt": true,
}

func isLinkProp(name string) bool {
	return linkProps[name] || strings.HasSuffix(name, "DocLink")
}
