/*
 * cues.c - human cues (see cues.h).
 *
 * Design: word lists ("lexicons") and rules over them. A lexicon entry is
 * one or more words separated by single spaces; a word ending in '*'
 * matches as a prefix, a word starting with '=' must match exactly (no
 * typo tolerance, for short words that collide with ordinary ones).
 * Entries are written after text_tokenize's folding: lowercase ASCII,
 * "don't" -> "don t", "ä" -> "a". A rule fires on one lexicon, or on a
 * pair of lexicons within a few words of each other in one sentence
 * (either order), and may be cancelled by a negation lexicon matching
 * shortly before it in the same clause.
 *
 * Lists are kept general (kinds of words, not sample sentences) so that
 * phrasings never seen still match. Whether a lexicon matches at a token
 * is computed once per call and cached in a small table.
 *
 * Invariant: every lexicon entry has at most LEX_MAX_WORDS words.
 */
#include "triage/cues.h"

#include "common/dp.h"
#include "common/utf8.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEX_MAX_WORDS 6

/* clang-format off */
enum lex {
	L_CONTACT,     /* verbs of getting in touch */
	L_PERSON,      /* a person to get in touch with */
	L_PERSON_STRONG, /* words that on their own mean "a human" */
	L_WANT,        /* want / need / give me */
	L_HUMAN_PHRASE, /* "real person", "not a bot", "escalate" */
	L_NEG_NEED,    /* "don't need", "no need", "without" */
	L_NEG,         /* plain negation: not, never, kein, pas, inte */
	L_BREAK,       /* but, and: a negation does not reach past these */
	L_PROFANITY,
	L_INSULT,
	L_EMOTION,     /* strong negative feelings */
	L_COMPLAINT,
	L_LEGAL,
	L_SECURITY,    /* phishing, malware, data breaches */
	L_FRAUD,
	L_CHARGE,      /* charges, payments, debits */
	L_DISOWNED,    /* "I didn't make", unknown, strange */
	L_MONEY,
	L_TAKEN,       /* taken, missing, disappeared */
	L_LOST,        /* lost, stolen */
	L_DEVICE,      /* card, wallet, phone, laptop */
	L_TAKEOVER,    /* hacked, compromised */
	L_OTHER_PERSON, /* someone (else), a stranger */
	L_LOGIN,       /* logged into, accessed */
	L_CREDENTIAL,  /* e-mail, password, phone number */
	L_LOGIN_ALERT, /* "new device", "login from" */
	L_USED,        /* used my, charged my */
	L_CHANGED,     /* password / e-mail changed */
	L_NOT_ME,      /* not me, didn't, without my */
	L_NOT_ME_SAID, /* "it wasn't me" */
	L_DISPUTE,     /* chargeback, dispute */
	L_BANK,        /* my bank, PayPal, the card issuer */
	L_REVERSE,     /* reverse, claim back, contest */
	L_WANT_MONEY,  /* want, demand, expect */
	L_REFUND,      /* refund, money back */
	L_REFUND_NOW,  /* "refund me", "give me my money back" */
	L_AMOUNT,      /* fee, amount, postage */
	L_BACK,
	L_COUNT
};

static const char *const contact[] = {
	"talk*", "speak*", "spoke", "chat", "chatting", "contact*", "reach",
	"reaching", "=call", "calling", "phone", "connect*", "transfer*",
	"put me through", "get in touch", "get hold", "route me", "forward me",
	"hand me over", "pass me",
	/* de */
	"sprech*", "sprich", "rede", "reden", "verbind*", "kontakt*",
	"erreich*", "telefonier*", "anruf*", "anrufen", "zuruckruf*",
	"ruckruf*", "chatten", "weiterleit*",
	/* fr */
	"parler", "parle", "joindre", "contacter", "appeler", "rappeler",
	"discuter", "echanger", "transferer", "mettre en relation", "passez moi",
	/* es */
	"hablar", "hable", "hablo", "contactar", "comunicar*", "llamar",
	"llamen", "chatear", "pasar con", "ponerme en contacto", "atienda",
	"atender",
	/* sv */
	"prata*", "=tala", "snacka", "kontakta", "ringa", "chatta",
	"komma i kontakt", "koppla*",
	NULL,
};

static const char *const person_strong[] = {
	"human", "humans", "person", "agent", "agents", "operator*",
	"representative*", "=rep", "=reps", "live agent", "real person",
	/* de */
	"mensch*", "mitarbeiter*", "kundenberater*", "sachbearbeiter*",
	"ansprechpartner*", "kundenbetreuer*",
	/* fr */
	"humain*", "conseiller*", "conseillere*", "interlocuteur*",
	"operateur*", "operatrice*",
	/* es */
	"humano*", "persona", "agente*", "operador*", "asesor*",
	"representante*",
	/* sv */
	"manniska*", "handlaggare*", "medarbetare*",
	NULL,
};

static const char *const person[] = {
	"human*", "person", "persons", "people", "someone", "somebody",
	"anyone", "anybody", "agent*", "operator*", "representative*",
	"=rep", "=reps", "staff", "employee*", "supervisor*", "manager*",
	"assistant", "assistants", "advisor*", "adviser*", "consultant*",
	"specialist*", "team member*", "=boss",
	/* de */
	"mensch*", "mitarbeiter*", "jemand*", "berater*", "kundenberater*",
	"sachbearbeiter*", "ansprechpartner*", "vorgesetzt*",
	"kundenbetreuer*", "chef",
	/* fr */
	"humain*", "personne", "personnes", "quelqu un", "conseiller*",
	"conseillere*", "interlocuteur*", "operateur*", "operatrice*",
	"responsable", "technicien*",
	/* es */
	"humano*", "persona", "personas", "alguien", "agente*", "operador*",
	"asesor*", "representante*", "encargado*", "supervisor*",
	"ejecutivo*",
	/* sv */
	"manniska*", "person", "personal", "nagon", "handlaggare*",
	"medarbetare*", "ansvarig*",
	NULL,
};

static const char *const want[] = {
	"want", "wanna", "need", "needs", "like", "give me", "get me",
	"request*", "require", "demand*", "ask for", "asking for", "prefer",
	/* de */
	"will", "mochte*", "brauche*", "verlange*", "bitte", "hatte gern*",
	/* fr */
	"veux", "voudrais", "besoin", "souhaite*", "exige*",
	/* es */
	"quiero", "necesito", "quisiera", "prefiero", "exijo",
	/* sv */
	"vill", "behover", "onskar", "kraver",
	NULL,
};

static const char *const human_phrase[] = {
	"real person", "real human", "actual person", "actual human",
	"live agent", "live person", "human being", "human agent",
	"human please", "not a bot", "not a robot", "not a machine",
	"stop the bot", "no more bots", "no bot", "no bots", "no robot*",
	"escalat*",
	/* de */
	"echte person", "echten person", "echten menschen", "echter mensch",
	"echten mitarbeiter", "kein bot", "keinen bot", "keine maschine",
	"lebende person", "menschlichen mitarbeiter", "menschlichen kontakt",
	/* fr */
	"vraie personne", "vrai humain", "etre humain", "pas un robot",
	"pas un bot", "personne reelle",
	/* es */
	"persona real", "persona de verdad", "ser humano", "no un robot",
	"no un bot", "con una persona",
	/* sv */
	"riktig person", "riktig manniska", "verklig person", "inte en robot",
	"inte en bot", "en riktig",
	NULL,
};

static const char *const neg_need[] = {
	"don t need", "do not need", "doesn t need",
	"does not need", "no need", "don t want", "do not want",
	"don t have to", "do not have to", "not necessary", "unnecessary",
	"without", "rather not", "never mind", "nevermind", "instead of",
	"no longer need", "not looking", "not asking", "not trying",
	"no point", "won t need", "didn t need", "not need",
	/* de */
	"brauche kein*", "brauche nicht", "brauchen kein*", "nicht notig",
	"nicht notwendig", "ohne", "will kein*", "mochte kein*",
	"mochte nicht", "will nicht", "statt", "anstatt",
	/* fr */
	"pas besoin", "sans", "inutile", "ne veux pas", "ne souhaite pas",
	"plutot que", "pas la peine", "pas necessaire",
	/* es */
	"no necesito", "no hace falta", "sin", "no quiero", "en vez de",
	"en lugar de", "no es necesario",
	/* sv */
	"behover inte", "inte behover", "utan", "vill inte",
	"inte nodvandigt", "istallet for", "i stallet for",
	NULL,
};

static const char *const neg[] = {
	"not", "no", "never", "nothing", "none", "nor", "without", "hardly",
	/* The tokenizer splits "didnt" as "didn t"; these bare forms catch
	 * what it does not know, the misspellings ("dosnt", "dident"). Not
	 * "arent": one typo away from "agent". */
	"=t", "wont", "didnt", "doesnt", "wasnt",
	"nicht", "kein*", "nie", "niemals", "ohne",
	"pas", "jamais", "sans", "aucun*", "=ni",
	"nunca", "sin", "ningun*", "tampoco",
	"inte", "=ej", "aldrig", "ingen", "inget", "inga", "utan",
	NULL,
};

static const char *const breakers[] = {
	"but", "and", "however", "though", "although", "just", "only",
	"aber", "und", "sondern", "mais", "et", "pero", "=y", "sino", "men",
	"och", "utan att",
	NULL,
};

static const char *const profanity[] = {
	"fuck*", "fck*", "fuk*", "fcuk*", "motherfuck*", "shit*", "bullshit*",
	"damn*", "goddam*", "godam*", "dammit", "bloody", "crap", "crappy",
	"wtf", "asshole*", "arsehole*", "bastard*", "bitch*", "=piss",
	"pissed", "screw you", "the hell", "hell no", "go to hell", "=sucks",
	"=suck",
	/* de */
	"scheiss*", "scheis*", "verdammt*", "verflucht*", "arschloch*",
	"=arsch", "kacke", "beschissen*", "drecks*",
	/* fr */
	"merde*", "putain*", "bordel", "connard*", "connasse", "=conne",
	"foutu*", "salaud*", "enfoire*", "chier", "emmerd*",
	/* es */
	"mierda*", "joder", "jodido*", "jodan", "=puta", "=putas", "=puto",
	"cabron*", "carajo", "gilipolla*", "pendejo*", "hostia*",
	/* sv */
	"javla*", "javlar", "helvete*", "=skit", "skitsnack", "fy fan",
	"for fan",
	NULL,
};

static const char *const insult[] = {
	"idiot*", "moron*", "stupid*", "=dumb", "dumbest", "imbecile*",
	"clown*", "liar*", "thief", "thieves", "crook*", "incompetent*",
	"useless", "pathetic", "a joke", "ridiculous", "disgrace*",
	"disgusting", "shameful", "scumbag*", "=loser", "=losers", "clueless",
	/* de */
	"vollidiot*", "unfahig*", "inkompetent*", "nutzlos*", "lacherlich*",
	"frechheit", "unverschamt*", "abzocke*", "abzocker*",
	/* fr */
	"=nul", "=nuls", "=nulle", "ridicule*", "honteu*", "lamentable*",
	"minable*", "escroc*",
	/* es */
	"inutil*", "incompetente*", "ridicul*", "vergonzos*", "verguenza",
	"estupid*", "idiota*", "pesimo*", "sinverguenza*",
	/* sv */
	"vardelos*", "patetisk*", "lojlig*", "=usel", "=uselt", "urusel*",
	"pinsamt",
	NULL,
};

static const char *const emotion[] = {
	"angry", "anger", "furious", "livid", "outraged", "outrageous",
	"unacceptable", "fed up", "sick of", "sick and tired", "had enough",
	"last straw", "terrible", "horrible", "awful", "appalling",
	"atrocious", "worst", "rubbish", "garbage", "infuriat*", "frustrat*",
	"upset", "annoyed", "never again", "waste of time", "wasted my time",
	"fuming", "disgusted", "horrendous", "shocking", "nightmare",
	"scandal*",
	/* de */
	"wutend", "=sauer", "verargert", "emport", "inakzeptabel",
	"katastroph*", "schrecklich*", "furchtbar*", "miserabel*",
	"die nase voll", "reicht mir", "reicht jetzt", "zum kotzen",
	"frustriert*", "genervt",
	/* fr */
	"furieu*", "en colere", "colere", "enerve*", "exaspere*", "marre",
	"ras le bol", "inadmissible", "inacceptable", "deplorable",
	"catastroph*", "insupportable", "degoute*",
	/* es */
	"furios*", "enfadad*", "enojad*", "=harto", "=harta", "indignad*",
	"inaceptable", "vergonzoso", "fatal", "desastre", "frustrad*",
	"cabread*",
	/* sv */
	"=arg", "=arga", "forbannad*", "rasande", "ilsk*", "oacceptab*",
	"fruktansvard*", "hemsk*", "bedrovlig*", "trott pa", "less pa",
	"frustrerad*", "irriterad*", "katastrof*",
	NULL,
};

static const char *const complaint[] = {
	"complain*", "reclamation*", "grievance*", "dissatisf*", "unsatisf*",
	"unhappy", "not happy", "not satisfied", "not pleased", "disappoint*",
	"fil* a claim", "lodg* a claim", "mak* a claim", "submit* a claim",
	"claim against",
	"customer claim", "consumer claim", "poor service", "bad service",
	"terrible service", "bad experience", "poor quality",
	/* de */
	"beschwer*", "reklamation*", "reklamier*", "unzufrieden*",
	"enttausch*", "nicht zufrieden", "schlechter service",
	"schlechten service",
	/* fr */
	"plainte*", "reclamer", "mecontent*", "=decu", "=decue", "=decus",
	"decevant*", "insatisf*", "pas satisfait*", "pas content*",
	/* es */
	"queja*", "quejar*", "quejo", "reclamacion*", "reclamo",
	"insatisfech*", "decepcion*", "descontent*", "no estoy satisfech*",
	"no estoy content*",
	/* sv */
	"klagomal*", "klaga*", "klagar", "reklamera*", "missnojd*",
	"besvik*", "inte nojd",
	NULL,
};

static const char *const legal[] = {
	"lawyer*", "attorney*", "solicitor*", "lawsuit*", "=sue", "=suing",
	"=sued", "legal action*", "legal steps", "legal proceedings",
	"to court", "in court", "court case", "court order", "small claims",
	"litigat*", "ombudsman", "regulator*", "consumer protection",
	"trading standards", "better business bureau", "=bbb",
	"data protection authority", "cease and desist", "class action",
	"legal department", "=gdpr", "=ftc", "=cfpb",
	/* de */
	"anwalt*", "rechtsanwalt*", "anwaltlich*", "rechtliche schritte",
	"rechtlichen schritte", "rechtliche konsequenzen", "verklag*",
	"klage einreich*", "gericht", "gerichtlich*", "verbraucherzentrale*",
	"verbraucherschutz*", "schlichtungsstelle", "=dsgvo",
	"datenschutzbehorde", "=bafin", "abmahnung",
	/* fr */
	"avocat*", "=tribunal", "tribunaux", "poursuite*", "porter plainte",
	"mise en demeure", "action en justice", "en justice", "=proces",
	"protection des consommateurs", "=rgpd", "=cnil", "mediateur",
	"=dgccrf", "huissier",
	/* es */
	"abogad*", "=demanda", "demandar*", "tribunales", "juicio", "juzgado",
	"acciones legales", "accion legal", "denuncia*", "denunciar*",
	"proteccion de datos", "defensor del consumidor",
	/* sv */
	"advokat*", "=jurist", "juristen", "domstol*", "rattsliga atgarder",
	"juridiska atgarder", "=arn", "konsumentverket",
	"allmanna reklamationsnamnden", "polisanmal*", "kronofogden",
	NULL,
};

static const char *const security[] = {
	"phish*", "spoof*", "malware", "ransomware", "keylogger", "virus",
	"data breach", "breach*", "data leak*", "leaked",
	/* de */
	"phishing", "datenleck*", "datenpanne*",
	/* fr */
	"hameconnage", "fuite de donnees",
	/* es */
	"filtracion de datos", "suplantacion",
	/* sv */
	"bluffmejl*", "bluffsms*", "natfiske", "dataintrang", "datalacka*",
	NULL,
};

static const char *const fraud[] = {
	"fraud*", "scam*", "scammed", "unauthori*", "not authori*",
	"didn t authori*", "did not authori*", "never authori*",
	"identity theft", "skimm*", "card was cloned", "cloned card",
	/* de */
	"betrug*", "betrog*", "betruger*", "unbefugt*", "nicht autorisiert*",
	"identitatsdiebstahl", "abzocke*",
	/* fr */
	"arnaque*", "escroquer*", "escroquerie*", "non autorise*",
	"vol d identite", "usurpation d identite",
	/* es */
	"estafa*", "estafad*", "timo", "timad*", "no autorizad*",
	"robo de identidad",
	/* sv */
	"bedrageri*", "bedragare*", "bedragen", "lurad*", "obehorig*",
	"identitetsstold",
	NULL,
};

/* Money leaving an account. */
static const char *const charge[] = {
	"charge", "charges", "charged", "payment*", "transaction*", "=debit",
	"debits", "debited", "purchase*", "withdrawal*", "deduction*",
	"deducted", "=bill", "billed", "order", "orders", "purchases",
	"abbuchung*", "abgebucht", "zahlung*", "belastung*", "lastschrift*",
	"transaktion*", "buchung*",
	"prelevement*", "preleve*", "paiement*", "achat*", "operation*",
	"debite*",
	"cargo", "cargos", "cobro*", "cobrad*", "=pago", "=pagos",
	"transaccion*", "compra", "compras", "movimiento*",
	"dragning*", "dragit*", "betalning*", "transaktion*", "=kop", "kopet",
	"debiter*",
	NULL,
};

/* "...that I did not make": the customer disowns it. */
static const char *const disowned[] = {
	"don t recogni*", "do not recogni*", "didn t recogni*", "unrecogni*",
	"not recogni*", "never made", "didn t make", "did not make",
	"never authori*", "not mine", "isn t mine", "is not mine",
	"aren t mine", "wasn t me", "was not me", "not by me",
	"never ordered", "didn t order", "did not order", "haven t ordered",
	"have not ordered", "not ordered", "never placed", "didn t place",
	"did not place", "doesn t belong", "does not belong", "don t belong",
	"do not belong", "never bought",
	"didn t buy", "did not buy", "no idea what", "unknown", "strange",
	"weird", "suspicious", "mysterious", "unexpected",
	"nicht erkenn*", "erkenne ich nicht", "kenne ich nicht", "unbekannt*",
	"nie bestellt", "nicht bestellt", "nicht getatigt", "nicht von mir",
	"nicht gemacht", "verdachtig*", "seltsam*", "merkwurdig*", "komisch*",
	"ne reconnais pas", "pas reconnu*", "inconnu*", "jamais commande",
	"jamais fait", "pas moi", "suspect*", "etrange*", "bizarre*",
	"no reconozco", "desconocid*", "nunca hice", "no hice", "no fui yo",
	"nunca compre", "no compre", "sospechos*", "extran*", "=raro",
	"kanner inte igen", "okand*", "inte gjort", "aldrig gjort",
	"inte jag", "aldrig kopt", "inte kopt", "misstank*", "konstig*",
	"mystisk*",
	NULL,
};

static const char *const money[] = {
	"money", "funds", "=cash", "balance", "savings",
	"geld", "guthaben", "argent", "fonds", "solde", "dinero", "saldo",
	"plata", "pengar", "pengarna", "saldot",
	NULL,
};

static const char *const taken[] = {
	"=taken", "missing", "disappeared", "vanished", "gone", "withdrawn",
	"=stolen", "emptied", "drained",
	"abgebucht", "verschwunden", "fehlt", "weg", "abgehoben",
	"disparu*", "=pris", "retire*", "vole",
	"desaparecid*", "quitado", "sacado", "robado",
	"forsvunn*", "borta", "tagit*", "tagna", "uttag*",
	NULL,
};

static const char *const lost[] = {
	"lost", "lose", "losing", "=stolen", "stole", "steal*", "theft",
	"misplaced", "can t find my", "cannot find my", "able to find my",
	"pickpocket*", "robbed", "mugged", "snatched", "nicked", "=taken",
	"gone missing", "went missing",
	"verloren", "verlegt", "gestohlen*", "geklaut*", "diebstahl",
	"abhanden", "finde meine*", "finde mein",
	"perdu*", "=vole", "=volee", "=voles", "=volees", "=vol", "egare*",
	"derobe*", "cambriol*",
	"perdi", "perdido*", "perdida*", "extravi*", "robad*", "=robo",
	"robaron", "hurtad*", "=hurto", "me quitaron",
	"tappat*", "tappade", "forlorat", "forlorade", "stulen", "stulet",
	"stulna", "stold", "=stal", "stals", "ficktjuv*",
	NULL,
};

/* Things whose loss is a security matter, not a lost parcel. */
static const char *const device[] = {
	"card", "cards", "credit card", "debit card", "bank card", "wallet",
	"purse", "=phone", "phones", "mobile", "cellphone", "smartphone",
	"iphone", "android", "laptop", "tablet", "ipad", "=device", "handbag",
	"=sim", "sim card",
	"karte", "kreditkarte", "bankkarte", "ec karte", "girokarte",
	"geldborse", "portemonnaie", "brieftasche", "geldbeutel", "handy",
	"telefon", "laptop", "tablet",
	"carte", "cartes", "carte bancaire", "portefeuille", "porte monnaie",
	"telephone", "portable", "ordinateur", "tablette",
	"tarjeta", "tarjetas", "cartera", "billetera", "monedero", "telefono",
	"movil", "celular", "portatil", "tableta",
	"=kort", "kortet", "korten", "bankkort*", "kreditkort*", "planbok*",
	"telefon*", "mobil", "mobilen", "mobiltelefon*", "dator*",
	"surfplatta*",
	NULL,
};

static const char *const takeover[] = {
	"hack*", "compromised", "taken over", "took over", "takeover",
	"account takeover", "broke into", "broken into",
	"gehackt*", "gekapert", "ubernommen",
	"pirat*", "compromis",
	"hackea*", "jaquead*", "comprometid*",
	"hackad*", "hackat*", "kapad*", "kapat*",
	NULL,
};

static const char *const other_person[] = {
	"someone", "somebody", "stranger*", "someone else", "a third party",
	"another person", "my ex", "hacker*", "criminal*", "thief", "thieves",
	"jemand", "jemand anderes", "fremde*", "dritte",
	"quelqu un", "une autre personne", "un inconnu",
	"alguien", "otra persona", "un desconocido",
	"nagon", "nagon annan", "en okand",
	NULL,
};

/* Getting into someone's account. */
static const char *const login[] = {
	"accessed", "logged in*", "logged into", "log into", "got into",
	"get into", "getting into", "signed in*", "signed into",
	"has access", "access to my account", "using my account",
	"used my account",
	"eingeloggt", "angemeldet", "zugriff*",
	"connecte*", "acces a mon compte",
	"entro en mi", "entrado en mi", "acceso a mi cuenta", "iniciado sesion",
	"loggat in", "loggade in", "kommit in", "tillgang till mitt",
	NULL,
};

/* Sign-in details. */
static const char *const credential[] = {
	"email", "e mail", "email address", "e mail address", "password",
	"phone number", "mobile number", "login", "login details", "saved card",
	"e mail adresse", "passwort", "telefonnummer", "handynummer",
	"adresse e mail", "mot de passe", "numero de telephone",
	"correo", "correo electronico", "contrasena", "numero de telefono",
	"e post", "e postadress*", "losenord*", "telefonnummer*",
	NULL,
};

/* Signs of a sign-in that was not the customer. */
static const char *const login_alert[] = {
	"new device", "unknown device", "login alert", "sign in alert",
	"security alert", "login attempt*", "logging in from", "logged in from",
	"signed in from", "login from", "sign in from",
	"neues gerat", "unbekanntes gerat", "anmeldung von",
	"nouvel appareil", "appareil inconnu", "alerte de connexion",
	"nuevo dispositivo", "dispositivo desconocido", "inicio de sesion desde",
	"ny enhet", "okand enhet", "inloggning fran",
	NULL,
};

/* Using someone's means of payment. */
static const char *const used[] = {
	"used my", "using my", "charged my", "ordered with my", "bought with my",
	"buying", "ordering", "shopping", "spending",
	"paid with my", "shopping with my", "took money", "ordered on my",
	"hat mein*", "mit meiner karte", "mit meinem konto",
	"a utilise", "utilise ma", "avec ma carte",
	"uso mi", "usado mi", "con mi tarjeta",
	"anvande mitt", "anvande mina", "anvant mitt", "med mitt kort",
	NULL,
};

/* A sign-in detail changed. */
static const char *const changed[] = {
	"password was changed", "password has been changed", "password changed",
	"email was changed", "email has been changed", "email changed",
	"e mail was changed", "address was changed", "details were changed",
	"has been replaced", "was replaced", "were replaced", "has been swapped",
	"was swapped", "has been switched", "was switched",
	"changed my password", "changed my email", "changed my e mail",
	"changed the password", "changed the email", "changed my details",
	"passwort wurde geandert", "passwort geandert", "e mail adresse geandert",
	"mot de passe a ete change", "mot de passe a ete modifie",
	"adresse e mail a ete modifiee", "change mon mot de passe",
	"contrasena ha cambiado", "cambiado mi contrasena", "cambiaron mi",
	"correo ha cambiado",
	"losenordet har andrats", "losenordet andrades", "andrat mitt losenord",
	"e postadressen har andrats", "andrat min e post",
	NULL,
};

/* The customer saying, on its own, that it was someone else. */
static const char *const not_me_said[] = {
	"not me", "wasn t me", "was not me", "it wasn t me", "not by me",
	"nicht ich", "war ich nicht", "nicht von mir", "pas moi",
	"ce n est pas moi", "no fui yo", "no he sido yo", "inte jag",
	"var inte jag",
	NULL,
};

/* Not the customer's doing. */
static const char *const not_me[] = {
	"not me", "wasn t me", "was not me", "not by me", "didn t", "did not",
	"never", "without my", "without me",
	"nicht ich", "nicht von mir", "ohne mein*", "nicht",
	"pas moi", "sans mon", "sans ma", "jamais",
	"no fui yo", "sin mi", "nunca",
	"inte jag", "utan mitt", "utan min", "aldrig", "inte",
	NULL,
};

static const char *const dispute[] = {
	"chargeback*", "charge back", "dispute*", "disputing", "reversal",
	"contest", "contesting", "contested", "reversing the", "reverse the charge",
	"reverse the payment", "claw back", "clawed back", "clawback",
	"opened a case", "open a case", "raised a case",
	"rucklastschrift*", "ruckbuchung*", "zuruckbuch*", "widerspruch*",
	"widersprech*", "zuruckgebucht",
	"litige*", "contestation*", "conteste", "contester", "faire opposition",
	"opposition",
	"contracargo*", "disputa*", "impugn*",
	"bestrid*", "aterkrav*", "reklamation hos banken",
	NULL,
};

/* The customer's bank or card issuer. */
static const char *const bank[] = {
	"bank", "my bank", "card issuer", "card company", "credit card company",
	"paypal", "=visa", "mastercard", "=amex", "klarna",
	"meine bank", "meiner bank", "banque", "ma banque", "banco", "mi banco",
	"min bank", "banken", "con mi tarjeta",
	NULL,
};

/* Undoing a payment through the bank. */
static const char *const reverse[] = {
	"reverse*", "reversal", "cancel the payment", "stop the payment",
	"block the payment", "claim back", "claim the money", "pull back",
	"contest*", "challenge the charge", "get the money back", "raising it",
	"raise it", "cancel that payment", "cancel the charge", "stop that payment",
	"get my money back", "return the money", "refund it",
	"zuruckbuch*", "zuruckhol*", "zuruckfordern", "zuruckgeholt",
	"widerruf*", "stornier*",
	"annuler le paiement", "bloquer le paiement", "contester", "rembourse*",
	"revertir", "anular el cargo", "anular el pago", "devolver el cargo",
	"reclamar", "bloquear el pago",
	"stoppa betalningen", "aterkalla*", "bestrida", "spärra", "sparra",
	"reklamera*",
	NULL,
};

static const char *const want_money[] = {
	"want", "wanna", "need", "demand*", "insist*", "like", "require",
	"entitled to", "give me", "deserve",
	"ich will", "mochte*", "verlange*", "fordere*", "erwarte*",
	"brauche*", "hatte gern*", "bitte um",
	"veux", "voudrais", "exige*", "demande*", "souhaite*", "attends",
	"quiero", "exijo", "pido", "solicito", "necesito", "quisiera",
	"espero", "reclamo",
	"vill", "kraver", "begar", "forvantar", "onskar",
	NULL,
};

static const char *const refund[] = {
	"refund", "refunded", "full refund", "money back", "my money",
	"reimburse*", "reimbursement*",
	"geld zuruck", "mein geld", "erstattung*", "ruckerstattung*",
	"zuruckerstatt*", "erstattet",
	"rembourse*", "remboursement*", "mon argent",
	"reembolso*", "reembols*", "mi dinero", "el dinero de vuelta",
	"devolucion del dinero", "devuelvan el dinero",
	"pengarna tillbaka", "pengar tillbaka", "mina pengar",
	"aterbetalning*", "aterbetala*",
	NULL,
};

/* What a customer paid, when they want it back. */
static const char *const amount[] = {
	"fee", "fees", "amount", "cost", "costs", "price", "postage",
	"shipping", "delivery charge", "deposit", "pounds", "euros", "dollars",
	"kronor", "betrag", "gebuhr*", "versandkosten", "montant", "frais",
	"importe", "gastos", "dinero", "beloppet", "avgiften", "frakten",
	NULL,
};

static const char *const back_words[] = {
	"=back", "returned", "repaid", "zuruck", "wiederhaben", "tillbaka",
	"de vuelta",
	NULL,
};

/* Refund demands that stand alone. */
static const char *const refund_now[] = {
	"refund me", "give me my money back", "give me back my", "return my money",
	"return the money", "refund my money", "i demand a refund",
	"i want my money back", "pay me back", "pay back", "give the money back",
	"expect to be reimbursed", "expect to be refunded", "expect a full refund",
	"refund the", "please refund", "return that amount", "return the amount",
	"erstatten sie mir", "geben sie mir mein geld", "zuruckzahlen",
	"geld wiederhaben", "zuruckerstatten",
	"remboursez moi", "me rembourser", "rendez moi mon argent",
	"devuelvanme", "devuelvame el dinero", "devuelvan mi dinero",
	"que me devuelvan", "reembolsenme", "reembolsen",
	"ge mig pengarna tillbaka", "betala tillbaka", "aterbetala hela",
	NULL,
};
/* clang-format on */

static const char *const *const lexicons[L_COUNT] = {
	[L_CONTACT] = contact,
	[L_PERSON] = person,
	[L_PERSON_STRONG] = person_strong,
	[L_WANT] = want,
	[L_HUMAN_PHRASE] = human_phrase,
	[L_NEG_NEED] = neg_need,
	[L_NEG] = neg,
	[L_BREAK] = breakers,
	[L_PROFANITY] = profanity,
	[L_INSULT] = insult,
	[L_EMOTION] = emotion,
	[L_COMPLAINT] = complaint,
	[L_LEGAL] = legal,
	[L_SECURITY] = security,
	[L_FRAUD] = fraud,
	[L_CHARGE] = charge,
	[L_DISOWNED] = disowned,
	[L_MONEY] = money,
	[L_TAKEN] = taken,
	[L_LOST] = lost,
	[L_DEVICE] = device,
	[L_TAKEOVER] = takeover,
	[L_OTHER_PERSON] = other_person,
	[L_LOGIN] = login,
	[L_CREDENTIAL] = credential,
	[L_LOGIN_ALERT] = login_alert,
	[L_USED] = used,
	[L_CHANGED] = changed,
	[L_NOT_ME] = not_me,
	[L_NOT_ME_SAID] = not_me_said,
	[L_DISPUTE] = dispute,
	[L_BANK] = bank,
	[L_REVERSE] = reverse,
	[L_WANT_MONEY] = want_money,
	[L_REFUND] = refund,
	[L_REFUND_NOW] = refund_now,
	[L_AMOUNT] = amount,
	[L_BACK] = back_words,
};

enum negation {
	NEG_NONE,   /* never cancelled (profanity, legal threats) */
	NEG_NEED,   /* cancelled by "don't need", "without", ... */
	NEG_SIMPLE, /* cancelled by a plain "not", "no", "never" */
};

#define ANYWHERE (-1)

struct rule {
	enum cue cue;
	enum lex a, b; /* b == L_COUNT: a alone */
	int window;    /* words allowed between a and b; ANYWHERE: b
			   * anywhere in the message, its own sentence or not */
	enum negation neg;
};

static const struct rule rules[] = {
	{CUE_EXPLICIT_REQUEST, L_HUMAN_PHRASE, L_COUNT, 0, NEG_NEED},
	{CUE_EXPLICIT_REQUEST, L_CONTACT, L_PERSON, 6, NEG_NEED},
	{CUE_EXPLICIT_REQUEST, L_WANT, L_PERSON_STRONG, 3, NEG_NEED},
	{CUE_ANGER, L_PROFANITY, L_COUNT, 0, NEG_NONE},
	{CUE_ANGER, L_INSULT, L_COUNT, 0, NEG_SIMPLE},
	{CUE_ANGER, L_EMOTION, L_COUNT, 0, NEG_SIMPLE},
	{CUE_COMPLAINT, L_COMPLAINT, L_COUNT, 0, NEG_SIMPLE},
	{CUE_LEGAL, L_LEGAL, L_COUNT, 0, NEG_NONE},
	{CUE_SECURITY, L_SECURITY, L_COUNT, 0, NEG_NONE},
	{CUE_FRAUD, L_FRAUD, L_COUNT, 0, NEG_NONE},
	{CUE_FRAUD, L_CHARGE, L_DISOWNED, 5, NEG_NONE},
	{CUE_FRAUD, L_MONEY, L_TAKEN, 4, NEG_SIMPLE},
	{CUE_FRAUD, L_OTHER_PERSON, L_USED, 2, NEG_NONE},
	{CUE_FRAUD, L_CHARGE, L_NOT_ME_SAID, ANYWHERE, NEG_NONE},
	{CUE_LOST_OR_STOLEN, L_LOST, L_DEVICE, 4, NEG_SIMPLE},
	{CUE_ACCOUNT_TAKEOVER, L_TAKEOVER, L_COUNT, 0, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_OTHER_PERSON, L_LOGIN, 3, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_CHANGED, L_NOT_ME, 6, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_CREDENTIAL, L_DISOWNED, 5, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_CHANGED, L_DISOWNED, 6, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_CREDENTIAL, L_NOT_ME_SAID, ANYWHERE, NEG_NONE},
	{CUE_ACCOUNT_TAKEOVER, L_LOGIN_ALERT, L_COUNT, 0, NEG_NONE},
	{CUE_DISPUTE, L_DISPUTE, L_COUNT, 0, NEG_SIMPLE},
	{CUE_DISPUTE, L_BANK, L_REVERSE, 6, NEG_SIMPLE},
	{CUE_REFUND_DEMAND, L_REFUND_NOW, L_COUNT, 0, NEG_NEED},
	{CUE_REFUND_DEMAND, L_WANT_MONEY, L_REFUND, 2, NEG_NEED},
	{CUE_REFUND_DEMAND, L_AMOUNT, L_BACK, 2, NEG_NEED},
};

/* How far back (in words) each kind of negation reaches. */
#define NEG_NEED_REACH 4
#define NEG_SIMPLE_REACH 2
/* A message this short that names a person asks for one ("Agent!"). */
#define SHORT_MESSAGE 3

static const char *const codes[CUE_COUNT] = {
	[CUE_EXPLICIT_REQUEST] = "explicit_request",
	[CUE_ANGER] = "anger",
	[CUE_COMPLAINT] = "complaint",
	[CUE_LEGAL] = "legal",
	[CUE_SECURITY] = "security",
	[CUE_FRAUD] = "fraud",
	[CUE_LOST_OR_STOLEN] = "lost_or_stolen",
	[CUE_ACCOUNT_TAKEOVER] = "account_takeover",
	[CUE_DISPUTE] = "dispute",
	[CUE_REFUND_DEMAND] = "refund_demand",
};

const char *cue_code(enum cue c)
{
	return (size_t)c < CUE_COUNT ? codes[c] : "unknown";
}

/* Whether a and b are at most one typo apart: one letter changed, added
 * or dropped, or two neighbours swapped (optimal string alignment distance
 * at most 1). Linear: the common head is skipped, then what follows the
 * one difference must be equal. */
static bool one_typo(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	if (na > nb + 1 || nb > na + 1)
		return false;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (na == nb) {
		if (i == na || memcmp(a + i + 1, b + i + 1, na - i - 1) == 0)
			return true;
		return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       memcmp(a + i + 2, b + i + 2, na - i - 2) == 0;
	}
	if (na + 1 == nb)
		return memcmp(a + i, b + i + 1, na - i) == 0;
	return memcmp(a + i + 1, b + i, nb - i) == 0;
}

/* Whether some prefix of b (nb bytes) is at most one typo from a. */
static bool one_typo_prefix(const char *a, size_t na, const char *b, size_t nb)
{
	for (size_t l = na - 1; l <= na + 1; l++)
		if (l <= nb && one_typo(a, na, b, l))
			return true;
	return false;
}

/* One word of a lexicon entry, parsed once. */
struct pat_word {
	const char *w;   /* its letters, without '=' and '*' */
	size_t len;      /* of w */
	bool exact_only; /* '=': no typo tolerance */
	bool prefix;     /* '*': matches as a prefix */
};

/* A lexicon entry, parsed once into its words. */
struct pattern {
	struct pat_word word[LEX_MAX_WORDS];
	size_t n;
};

/* Whether one pattern word matches token t. Typos are tolerated for words
 * of five letters or more, never in the first letter. */
static bool word_match(const struct pat_word *p, const struct token *t)
{
	size_t n = p->len;

	/* Lengths first: most tokens are ruled out here. */
	if (p->prefix ? t->len + 1 < n
		      : t->len + 1 < n || t->len > n + 1 ||
				(t->len != n && (p->exact_only || n < 5)))
		return false;
	if (p->prefix ? t->len >= n && memcmp(t->word, p->w, n) == 0
		      : t->len == n && memcmp(t->word, p->w, n) == 0)
		return true;
	if (p->exact_only || n < 5 || t->len < 5 || t->word[0] != p->w[0])
		return false;
	/* A word about as long as the pattern: compare whole words. */
	if (t->len <= n + 1)
		return one_typo(p->w, n, t->word, t->len);
	/* A longer word against a prefix: only for long stems, where a typo
	 * cannot turn one word into another ("moron*" vs "morning"). */
	return p->prefix && n >= 6 && one_typo_prefix(p->w, n, t->word, n + 1);
}

/* Number of tokens pattern e matches at position i, 0 when none. */
static size_t entry_match(const struct pattern *e, const struct text_tokens *tk,
			  size_t i)
{
	if (i + e->n > tk->n)
		return 0;
	for (size_t k = 0; k < e->n; k++)
		if (!word_match(&e->word[k], &tk->tok[i + k]))
			return 0;
	return e->n;
}

struct scan {
	const struct text_tokens *tk;
	uint8_t *memo; /* L_COUNT x n: 0xFF unknown, else match length */
};

/* The entries of each lexicon, parsed, by their first letter (a-z, 0-9;
 * '=' is skipped): every match, typos included, keeps the first letter,
 * so a token is only compared with the entries that start like it. Built
 * once from the static lists, then only read. */
#define FIRSTS 36
#define MAX_PATTERNS 2048

struct first_index {
	struct pattern patterns[MAX_PATTERNS];
	const struct pattern *entries[L_COUNT][FIRSTS + 1][64];
};

static struct first_index first_index;
static pthread_once_t first_once = PTHREAD_ONCE_INIT;

static int first_slot(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '0' && c <= '9')
		return 26 + (c - '0');
	return FIRSTS; /* nothing starts with it */
}

/* Parse entry e ("word word*", "=word") into p. */
static void parse_pattern(const char *e, struct pattern *p)
{
	p->n = 0;
	while (*e) {
		const char *sp = strchr(e, ' ');
		size_t n = sp ? (size_t)(sp - e) : strlen(e);
		struct pat_word *w = &p->word[p->n++];

		assert(p->n <= LEX_MAX_WORDS && n > 0);
		w->exact_only = e[0] == '=';
		w->prefix = e[n - 1] == '*';
		w->w = e + w->exact_only;
		w->len = n - w->exact_only - w->prefix;
		e += n;
		if (*e == ' ')
			e++;
	}
}

static void build_first_index(void)
{
	size_t n[FIRSTS + 1], parsed = 0;

	for (int l = 0; l < L_COUNT; l++) {
		memset(n, 0, sizeof(n));
		for (const char *const *e = lexicons[l]; *e; e++) {
			struct pattern *p = &first_index.patterns[parsed++];
			int f;

			assert(parsed <= MAX_PATTERNS);
			parse_pattern(*e, p);
			f = first_slot(p->word[0].w[0]);
			assert(f < FIRSTS && n[f] + 1 < DP_ARRAY_LEN(first_index.entries[l][f]));
			first_index.entries[l][f][n[f]++] = p;
		}
	}
}

/* Longest match of lexicon l at position i (0: none), cached. */
static size_t lex_at(struct scan *sc, enum lex l, size_t i)
{
	uint8_t *m = &sc->memo[(size_t)l * sc->tk->n + i];

	if (*m == 0xFF) {
		int f = first_slot(sc->tk->tok[i].word[0]);
		size_t best = 0;

		for (const struct pattern *const *e = first_index.entries[l][f]; *e; e++) {
			size_t k = entry_match(*e, sc->tk, i);

			if (k > best)
				best = k;
		}
		*m = (uint8_t)best;
	}
	return *m;
}

/* Whether a boundary of the given strength lies before any token in
 * (from, to]. */
static bool boundary_between(const struct text_tokens *tk, size_t from,
			     size_t to, bool sentence_only)
{
	for (size_t k = from + 1; k <= to && k < tk->n; k++)
		if (sentence_only ? tk->tok[k].sentence : tk->tok[k].clause)
			return true;
	return false;
}

/* Whether a match starting at token s is negated: a negation of the
 * rule's kind starts at most `reach` words before s, in the same clause,
 * with no "but"/"and" between it and s. */
static bool negated(struct scan *sc, enum negation kind, size_t s)
{
	enum lex l = kind == NEG_NEED ? L_NEG_NEED : L_NEG;
	size_t reach = kind == NEG_NEED ? NEG_NEED_REACH : NEG_SIMPLE_REACH;

	if (kind == NEG_NONE)
		return false;
	/* back 0: the negation may start the match ("brauche keinen ..."). */
	for (size_t back = 0; back <= reach && back <= s; back++) {
		size_t k = s - back;

		if (back > 0 && boundary_between(sc->tk, k, s, false))
			return false;
		if (back > 0 && lex_at(sc, L_BREAK, k))
			return false;
		if (lex_at(sc, l, k))
			return true;
	}
	return false;
}

/* Copy the input bytes of tokens [first, last] into dst as evidence:
 * control characters become spaces, the cut lands on a UTF-8 boundary. */
static void evidence(const char *text, const struct text_tokens *tk,
		     size_t first, size_t last, char *dst, size_t cap)
{
	size_t a = tk->tok[first].start, b = tk->tok[last].end;
	size_t n = utf8_cut(text + a, b - a, cap - 1);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[a + i];

		dst[i] = ch < 0x20 ? ' ' : (char)ch;
	}
	dst[n] = '\0';
}

/* Try rule r with its first lexicon matching at i; on a hit fill the span
 * and return true. */
static bool rule_at(struct scan *sc, const struct rule *r, size_t i,
		    size_t *first, size_t *last)
{
	const struct text_tokens *tk = sc->tk;
	size_t la = lex_at(sc, r->a, i);

	if (!la)
		return false;
	if (r->b == L_COUNT) {
		*first = i;
		*last = i + la - 1;
		return !negated(sc, r->neg, i);
	}
	if (r->window == ANYWHERE) {
		for (size_t j = 0; j < tk->n; j++) {
			size_t lb = lex_at(sc, r->b, j);

			if (lb && (j + lb <= i || j >= i + la)) {
				*first = i;
				*last = i + la - 1;
				return !negated(sc, r->neg, i);
			}
		}
		return false;
	}
	/* b after a, then b before a. */
	for (size_t j = i + la; j < tk->n && j <= i + la - 1 + (size_t)r->window + 1;
	     j++) {
		size_t lb;

		if (boundary_between(tk, i, j, true))
			break;
		if ((lb = lex_at(sc, r->b, j)) != 0 && !negated(sc, r->neg, i)) {
			*first = i;
			*last = j + lb - 1;
			return true;
		}
	}
	for (size_t back = 1; back <= (size_t)r->window + 1 && back <= i; back++) {
		size_t j = i - back, lb = lex_at(sc, r->b, j);

		if (boundary_between(tk, j, i, true))
			break;
		if (lb && j + lb <= i && !negated(sc, r->neg, j)) {
			*first = j;
			*last = i + la - 1;
			return true;
		}
	}
	return false;
}

void cues_find(const char *text, const struct text_tokens *toks,
	       struct cue_result *out)
{
	struct scan sc = {.tk = toks};
	size_t first, last;

	memset(out, 0, sizeof(*out));
	if (toks->n == 0)
		return;
	pthread_once(&first_once, build_first_index);
	sc.memo = xmalloc((size_t)L_COUNT * toks->n);
	memset(sc.memo, 0xFF, (size_t)L_COUNT * toks->n);
	for (size_t r = 0; r < DP_ARRAY_LEN(rules); r++) {
		const struct rule *ru = &rules[r];

		if (out->fired[ru->cue])
			continue;
		for (size_t i = 0; i < toks->n; i++) {
			if (rule_at(&sc, ru, i, &first, &last)) {
				out->fired[ru->cue] = true;
				evidence(text, toks, first, last,
					 out->evidence[ru->cue],
					 sizeof(out->evidence[ru->cue]));
				break;
			}
		}
	}
	/* "Agent!", "human please?": a very short message naming a person. */
	if (!out->fired[CUE_EXPLICIT_REQUEST] && toks->n <= SHORT_MESSAGE) {
		for (size_t i = 0; i < toks->n; i++) {
			if (lex_at(&sc, L_PERSON_STRONG, i) &&
			    !negated(&sc, NEG_NEED, i)) {
				out->fired[CUE_EXPLICIT_REQUEST] = true;
				evidence(text, toks, 0, toks->n - 1,
					 out->evidence[CUE_EXPLICIT_REQUEST],
					 sizeof(out->evidence[0]));
				break;
			}
		}
	}
	free(sc.memo);
}
