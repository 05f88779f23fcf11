"""Vocabulary for rule-based understanding of complaints: defect cues, components, colours, sizes.

Phrases are written in plain English; every phrase and every message is normalised the same way before matching
(lower case, lemma, British spelling, plural stripped), so "the heel came off" also matches "heels coming off".
A phrase may contain groups written ``(a|b|)``: each alternative is expanded, an empty one means "optional".
"""

from __future__ import annotations

import itertools
import re
from typing import Optional

from bot.cases.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = [
    "COMPONENTS",
    "DEFECT_CATEGORIES",
    "DEFECT_CUES",
    "WEAK_DEFECT_CUES",
    "NEUTRAL_PHRASES",
    "PROBLEM_WORDS",
    "COMPONENT_SYNONYMS",
    "COMPONENT_CATEGORY",
    "SURFACE_WORDS",
    "FAILURE_PHRASES",
    "COMPONENT_FAILURE_OVERRIDES",
    "GENERAL_COLOURS",
    "COLOUR_SYNONYMS",
    "COLOUR_GROUPS",
    "COLOUR_MODIFIERS",
    "GENERIC_PRODUCT_WORDS",
    "WORD_ALIASES",
    "PROTECTED_WORDS",
    "NEGATIONS",
    "LETTER_SIZES",
    "SIZE_WORDS",
    "SIZE_SYSTEMS",
    "expand",
]

# ---------------------------------------------------------------------------------------------------------------
# Defect categories. Strong cues weigh 2 plus 0.5 per extra word (capped at 4), weak cues weigh 1.
# A cue contained in a longer cue is dropped, so "sent me the wrong size" is sizing_fit, not wrong_item.
#
# Decision, sizing_fit vs wrong_item: a pair in a size other than the one ordered ("you sent the wrong size") is
# sizing_fit, because what the customer needs is the same product in another size (an exchange). It is wrong_item
# only when a different product or colour was sent ("wrong shoes", "wrong colour was sent", "ordered tan, received
# black") or the pair itself is mismatched ("two left shoes", "one shoe is a size 8 and the other a size 9").
# ---------------------------------------------------------------------------------------------------------------

DEFECT_CUES: dict[str, tuple[str, ...]] = {
    "stitching": (
        "stitching (has |is |)(come|coming) (undone|apart|loose|out|away)",
        "stitching (is |has |)(undone|unravelling|fraying|frayed|loose|broken|split|gone|unpicked|failing|rotten)",
        "stitches (have |are |)(come|coming) (undone|out|loose)",
        "stitches (are |)(undone|broken|loose|missing|unravelling)",
        "(seam|seams) (has |have |is |are |)(split|burst|opened|open|gone|failed|gaping|ripped|torn)",
        "(seam|seams) (has |have |is |are |)(come|coming) (apart|undone|open|away)",
        "(split|burst|open|broken|ripped) (seam|seams)",
        "thread (is |are |)(unravelling|coming out|coming loose|hanging|fraying|snapped)",
        "threads (are |)(unravelling|coming out|hanging)",
        "(unravelling|loose|hanging|broken|snapped|frayed) (thread|threads|stitch|stitches|stitching)",
        "(missing|skipped|uneven|wonky|crooked) (stitch|stitches|stitching)",
        "come unstitched",
        "unstitched",
        "stitching defect",
        "welt stitching",
    ),
    "sole_separation": (
        "sole (is |has |)(peeling|coming|come|came|falling|fallen|fell|pulling|lifting) (away|off|apart|loose|out)",
        "sole (is |has |)(unglued|unstuck|detached|detaching|separating|separated|lifting|flapping|loose|gaping)",
        "sole (has |)(split|cracked|split in half|worn through|gone)",
        "(loose|flapping|detached|separated|split|cracked) (sole|soles|outsole)",
        "sole separation",
        "separation of the sole",
        "gap between the (sole|upper) and the (upper|sole)",
        "(glue|adhesive) (has |)(failed|gone|given way|come away|let go)",
        "(flapping|flap) like a mouth",
        "(come|came|coming) away from the sole",
        "(come|came|coming) unstuck",
        "delaminating",
        "delaminated",
    ),
    "heel_detachment": (
        "heel (has |is |)(fell|fallen|fall|come|came|coming|snapped|broken|broke) (off|away|loose|clean off)",
        "heel (has |is |)(snapped|broken|broke|cracked|detached|detaching|loose|wobbly|wobbling|hanging off|gone)",
        "(broken|snapped|loose|wobbly|detached|cracked) (heel|heels)",
        "heel (tip|cap|block|top piece) (has |)(fell|come|came|fallen|worn) (off|away|down|through)",
        "heel (has |)(snapped|sheared) (off|clean off|in half)",
        "heel gave way",
        "lost a heel",
        "heel is hanging",
        "heel wobbles",
    ),
    "upper_damage": (
        "hole in the (upper|leather|side|toe|front|top|vamp|boot|shoe|trainer)",
        "(tear|rip|split|cut|gash|crack) in the (upper|leather|side|toe|vamp|suede|front|top)",
        "upper (is |has |)(torn|ripped|split|damaged|scuffed|scratched|holed|punctured|worn through)",
        "(torn|ripped|split|damaged|scuffed|scratched) (upper|uppers|vamp|toe cap|toe)",
        "leather (is |has |)(torn|ripped|split|punctured|cut)",
        "(scuff|scuffs|scuff mark|scuff marks|scuffing)",
        "(scuffed|scratched|gouged|punctured)",
        "worn through",
        "(gash|gashes|scratch|scratches)",
        "(tear|rip|split|cut|gash|hole|puncture) in the (nubuck|patent|gusset|tongue|collar|heel counter|quarter)",
    ),
    "leather_finish": (
        "leather (is |has |)(cracking|cracked|peeling|flaking|bubbling|blistering|creasing|discoloured|faded|fading|drying)",  # noqa: E501
        "leather (has |is |)(gone|going|turned) (dry|patchy|white|pale|dull|bald)",
        "(finish|coating|polish|patent|paint|top coat|surface) (is |has |)(peeling|flaking|cracking|bubbling|worn|wearing|rubbed|rubbing|chipped|chipping|coming off|come off|gone)",  # noqa: E501
        "(peeling|flaking|cracked|cracking|bubbling) (finish|coating|leather|patent|paint)",
        "suede (has |is |)(gone|going) (bald|patchy|shiny|flat)",
        "suede (is |)(balding|faded|fading|patchy|discoloured)",
        "bald (patch|patches|spot|spots)",
        "colour (has |is |)(faded|fading|worn off|wearing off|rubbed off|rubbing off|come off|gone patchy|bleached)",
        "(discoloured|discolouration|discoloration|faded|fading|flaking|flaky|crazing|crazed)",
        "(cracks|cracking) in the leather",
        "(white|salt|tide) (marks|lines) on the leather",
        "(tide|tidemark|tidemarks) (mark|marks|line|lines|)",
    ),
    "sizing_fit": (
        "too (small|big|tight|large|narrow|wide|loose|short|long|snug|roomy|shallow)",
        "(wrong|incorrect) (size|sizing|fit)",
        "(sent|send|received|got|delivered) (me |us |)(the |a |)(wrong|incorrect) size",
        "wrong size (was |were |)(sent|delivered|received)",
        "(do|does|did|will|would|can) not fit",
        "not fit",
        "no longer fit",
        "(does not|doesn't|don't|didn't) fit (properly|right|well|at all|me)",
        "(can not|cannot) get (my foot|my feet|them|it) (in|on)",
        "half (a |)size (too |)(small|big|up|down|larger|smaller|bigger)",
        "(size|sizing) (up|down)",
        "(run|runs|ran|come|comes|came|coming) (up |)(small|big|large|narrow|wide|tight)",
        "(fit|fitting|sizing) (is |are |)(off|wrong|bad|poor|strange|inconsistent|odd|weird|tight)",
        "(poor|bad|tight|odd|strange|awful|terrible) fit",
        "(pinch|pinches|pinching|squash|squashes|squashing|crush|crushes|crushing) my (toes|feet|foot)",
        "(rubbing|rub|rubs|dig|digs|digging) (into |)my (heel|heels|ankle|ankles|toes|little toe)",
        "my heel (slips|slipping|keeps slipping|comes out|lifts)",
        "(need|needed|want) a (bigger|smaller|larger|different) size",
        "a size (bigger|smaller|up|down|larger)",
        "exchange (them |it |)for a (bigger|smaller|larger|different) size",
        "(one|1) (is |)(bigger|smaller|bigger than the other|smaller than the other)",
        "different sizes",
        "(toes|toe) (hit|touch|touching|hitting) the end",
        "not true to size",
        "true to size",
        "(too |)(tight|narrow) (across|around|at|on) the",
        "(can not|cannot) even get (my foot|my feet|them|it|my heel) (in|on)",
        "(a |)(full|whole) size (too small|too big|smaller|bigger|larger|out)",
        "size (smaller|bigger|larger) than (my|the|usual|normal|other)",
        "(feel|feels|felt|fit|fits|fitted|come up|comes up|came up) like (a|an) (size |uk |eu |)(2|3|4|5|6|7|8|9|10|11|12|13)",  # noqa: E501
    ),
    "colour_mismatch": (
        "(colour|shade|tone|hue) (does not|doesn't|do not|don't|didn't|did not) match",
        "(does not|doesn't|do not|don't) match the (photo|photos|picture|pictures|website|image|images|listing|description|sample)",  # noqa: E501
        "not the (same |)(colour|shade) (as|in|on|shown|pictured|advertised)",
        "different (shade|colour|tone|hue) (to|from|than)",
        "(different|odd|mismatched|wrong) (shade|shades|tone|tones|hue)",
        "(shade|colour|tone) (is |was |looks |)(different|off|wrong|darker|lighter|nothing like|not as|not right|way off)",  # noqa: E501
        "(darker|lighter|paler|brighter|duller|redder|browner|more orange|more red|more brown) than (the |)(photo|photos|picture|pictures|website|image|images|advertised|shown|pictured|expected|online|listing|sample|the other)",  # noqa: E501
        "not as (pictured|shown|photographed|on the website|in the photo|in the picture)",
        "looks nothing like the (photo|picture|website|image)",
        "colour (mismatch|difference|variation)",
        "(mismatched|uneven|inconsistent) (colour|colours|shades|dye)",
        "one (shoe|boot|trainer|side) is (darker|lighter|a different colour|a different shade)",
        "two different (shades|colours|tones)",
        "not the colour (i|we) (ordered|expected|chose|picked)",
        "(greener|bluer|greyer|yellower|pinker|oranger|more green|more yellow|more pink|more grey|more blue|more purple) than (the |)(photo|photos|picture|pictures|pics|pic|website|image|images|advertised|shown|pictured|expected|online|listing|sample|other|other one)",  # noqa: E501
        "nothing like the (pics|pic|photos|pictures|images|listing|advert|website|photo|picture|image)",
        "compared (to|with) the (photo|photos|picture|pictures|pics|pic|website|image|images|listing|sample)",
        "(look|looks|looked|is|are) (completely |totally |very |)different (in real life|in person|irl)",
    ),
    "hardware": (
        "(buckle|buckles|clasp|popper|press stud|d ring|rivet|rivets|magnet|catch) (has |is |)(broke|broken|snapped|came off|fell off|come off|bent|loose|missing|stuck|faulty|gone)",  # noqa: E501
        "(zip|zips|zipper) (is |has |keeps |)(stuck|broken|broke|jammed|jamming|split|splitting|sticking|separating|splitting open|not working|failed|gone|faulty|bust)",  # noqa: E501
        "(zip|zipper) (wo not|won't|will not|does not|doesn't|can not|can't) (close|open|zip|do up|stay up|work|fasten|move)",  # noqa: E501
        "(zip|zipper) (pull|puller|tab|teeth) (has |)(came off|fell off|come off|broken|broke|snapped|missing|bent)",
        "(broken|stuck|jammed|faulty|bust|busted) (zip|zipper|zips|buckle|clasp|popper|strap|handle)",
        "(eyelet|eyelets|lace hook|hooks|speed hooks) (has |have |)(come out|came out|popped out|pulled out|fallen out|ripped out|popped off|come off|came off|broken|missing)",  # noqa: E501
        "(strap|straps|handle|handles) (has |have |)(broke|broken|snapped|come off|came off|come away|came away|ripped off|torn off|detached|split|frayed)",  # noqa: E501
        "(clasp|catch|fastening|fastener|closure) (wo not|won't|will not|does not|doesn't) (close|stay closed|stay shut|fasten|shut|work)",  # noqa: E501
        "(lace|laces|shoelace|shoelaces) (are |is |have |has |keep |)(snapped|snapping|broke|broken|frayed|fraying|too short|too long)",  # noqa: E501
        "hardware (is |has |)(broken|tarnished|rusty|rusted|loose|missing)",
        "(rust|rusty|rusted|tarnished|tarnishing)",
    ),
    "lining_insole": (
        "lining (is |has |)(torn|ripped|split|worn|worn through|worn out|peeling|bunched|bunching|coming away|come away|coming out|coming loose|hole|holes|loose|frayed)",  # noqa: E501
        "(torn|ripped|split|worn|loose|bunched|peeling|holed) (lining|linings|insole|insoles|footbed|sock liner)",
        "hole in the (lining|insole|footbed|heel lining)",
        "(insole|insoles|footbed|sock liner|inner sole) (is |has |keeps |)(coming out|came out|come out|slipping|moving|sliding|loose|peeling|curling|curled|worn|bunched|bunching|torn|ripped|flattened|cracked|unstuck|coming unstuck|lifting|creased|sticking up|rucked up)",  # noqa: E501
        "(padding|cushioning) (is |has |)(coming out|worn|flattened|gone|collapsed|torn)",
        "(heel counter|heel cup) (is |has |)(worn|torn|rubbed through|collapsed)",
    ),
    "odour_or_stain": (
        "(smell|smells|smelly|stink|stinks|stinking|stinky|whiff|pong|pongs|odour|odours|reek|reeks)",
        "(chemical|strange|funny|bad|awful|horrible|musty|damp|mouldy|glue|rubber|fishy) (smell|odour)",
        "(stain|stains|stained|staining|marked|marks|blotch|blotches|blotchy)",
        "dye (has |is |)(come|came|coming|rubbed|rubbing|run|ran|running|bled|bleeding|transferred|leaked|leaking) (off|out|onto|on to|into)",  # noqa: E501
        "dye (came|comes|come|rubbed) off on",
        "(colour|color) (came|comes|come|rubbed|rubbing|ran|run|running) off on",
        "(came|comes|come|coming|rubbed|rubbing) off on (my|the|her|his) (socks|sock|feet|foot|tights|trousers|jeans|carpet|hands|skin)",  # noqa: E501
        "(stained|turned|dyed|ruined) (my|her|his|the) (socks|sock|feet|foot|tights|trousers|jeans|carpet|skin)",
        "(socks|sock|feet|foot|tights) (are |were |went |have gone |turned |)(black|blue|brown|stained|dyed|orange|red|green)",  # noqa: E501
        "(dye|colour) transfer",
        "(water|glue|grease|ink|oil|dye|salt) (mark|marks|stain|stains|residue)",
        "(mould|mold|mouldy|moldy|mildew)",
        "(dirty|grubby|soiled) (when|on arrival|out of the box)",
        "(white|weird|sticky|chalky|greasy|oily|waxy|strange) residue",
    ),
    "wrong_item": (
        "wrong (item|items|product|products|shoe|shoes|boot|boots|trainer|trainers|pair|order|model|style|colour|bag|belt|wallet|thing|parcel|design|one|ones)",  # noqa: E501
        "(sent|send|received|got|delivered|given) (me |us |)(the |a |)(wrong|incorrect)",
        "(sent|received|got|delivered) (me |)(a |)different (item|product|pair|shoe|shoes|boots|colour|style|model|one|ones|thing)",  # noqa: E501
        "not what (i|we) (ordered|bought|paid for|asked for|purchased)",
        "(is not|isn't|wasn't|was not|are not|aren't) what (i|we) (ordered|bought|paid for|asked for)",
        "not the (one|ones|item|product|style|pair|shoes|boots|colour|model) (i|we) (ordered|bought|paid for|chose)",
        "(someone|somebody) else's (order|parcel|shoes|boots)",
        "two left (shoes|feet|boots|ones|trainers)",
        "two right (shoes|feet|boots|ones|trainers)",
        "(mismatched|odd|mixed up|mixed) (pair|pairs)",
        "not my order",
        "(item|items|one shoe|one boot|a shoe|a boot) (is |was |)missing",
        "missing (from|in) the (box|parcel|order|package)",
        "only (one|1) (shoe|boot|trainer|sandal) in the box",
        "(one|the left|the right|left|right) (shoe|boot|trainer|sandal|one) is (a |)(size|uk|eu)",
        "the other (one |shoe |boot |trainer |)(is |)(a |)(size|uk|eu)",
        "(two|2) different sizes",
        "(different|two) sizes in the (box|pair|same box)",
        "(incorrect|different) (item|product|model|style) (was |)(sent|delivered)",
        "sent the wrong colour",
        "not the (belt|bag|wallet|trainers|sandals|loafers|satchel|tote|card holder|brogues|pumps|boot|shoe|trainer|sandal) (i|we) (ordered|bought|paid for|chose|picked|asked for|purchased)",  # noqa: E501
        "instead of the (one|ones|item|product|pair|shoes|boots|trainers|bag|belt|wallet|sandals|loafers|satchel|tote|card holder|brogues|pumps) (i|we) (ordered|bought|paid for|chose|picked|asked for)",  # noqa: E501
        "(different|wrong) (brand|make)",
        "(one|1) (shoe|boot|trainer|sandal) is (a|an) (2|3|4|5|6|7|8|9|10|11|12|13)",
    ),
    "damaged_in_transit": (
        "arrived (damaged|broken|crushed|squashed|smashed|soaked|wet|dented|torn|ripped open|open|in bits|in pieces)",
        "(damaged|broken|crushed) (on|upon) arrival",
        "damaged when (it |they |)(arrived|came|was delivered|were delivered)",
        "(box|parcel|package|packaging|shoe box|shoebox|outer box) (was |were |is |has been |)(crushed|damaged|squashed|dented|torn|ripped|ripped open|soaked|wet|smashed|split|split open|open|opened|battered|caved in|destroyed|burst)",  # noqa: E501
        "(crushed|damaged|squashed|dented|torn|soaked|smashed|battered|wet|open) (box|parcel|package|packaging)",
        "damaged (in|during) (transit|the post|delivery|shipping|shipment|postage|the delivery)",
        "(courier|delivery driver|postman|driver|royal mail|dpd|evri|hermes|ups|dhl) (damaged|dropped|crushed|threw|left it in the rain)",  # noqa: E501
        "(transit|shipping|delivery|postal) damage",
        "left (it |the parcel |the box |)(out |)in the rain",
        "(box|parcel|package|packaging) (turned up|showed up|came|arrived) (completely |totally |all |badly |)(crushed|squashed|damaged|battered|smashed|torn|ripped|soaked|wet|open|dented|caved in)",  # noqa: E501
        "arrived (bent|bent out of shape|misshapen|scuffed|scratched|creased|dented|filthy)",
        "left (on the doorstep|on the step|outside|in a puddle|by the door|on the porch) in the rain",
        "(left|dumped|thrown|threw) (the parcel |the box |the package |it |my parcel |)(in a puddle|over the fence)",
    ),
    "late_delivery": (
        "(has not|hasn't|have not|haven't|has still not|have still not|still has not|still hasn't|still not|not yet|never|did not|didn't) (arrived|arrive|turned up|turn up|shown up|showed up|come|came|been delivered|received|got it|got them|got my order)",  # noqa: E501
        "still (waiting|not here|not arrived|not delivered|no sign|nothing|has not come|hasn't come)",
        "still no (boots|shoes|trainers|sandals|bag|belt|wallet|parcel|package|order|delivery|item|items|sign|news)",
        "(day|days|week|weeks|fortnight|month|months|ages|forever|so long) for (my|the|our) (order|parcel|delivery|package|boots|shoes|trainers|item|items|bag|belt|wallet|sandals)",  # noqa: E501
        "waiting (for|on) (my|the|our) (order|parcel|delivery|package|boots|shoes|trainers|refund parcel|item|items)",
        "(order|parcel|delivery|package|item|boots|shoes) (is |are |was |has been |)(late|delayed|overdue|lost|missing|stuck)",  # noqa: E501
        "(late|delayed|slow|missed) (delivery|deliveries|order|parcel|dispatch)",
        "(arrived|came|turned up|got here|delivered) (a |one |two |three |four |a few |several |over a |nearly a |)(day |days |week |weeks |fortnight |month |)late",  # noqa: E501
        "(a|one|two|three|four|a few|several) (day|days|week|weeks) late",
        "where is my (order|parcel|delivery|package|stuff|item|items)",
        "no sign of (my|the|our) (order|parcel|delivery|package|boots|shoes|item|items)",
        "lost in (the post|transit|the mail)",
        "tracking (has not|hasn't|not|still has not|still hasn't|does not|doesn't) (updated|update|moved|move|changed|change|show)",  # noqa: E501
        "stuck in (transit|customs|the depot|the warehouse|a depot|a warehouse)",
        "(should have|was supposed to have|was meant to have|was due to have) (arrived|been delivered|come)",
        "was due (on|to arrive|last|by|yesterday)",
        "(delivered|sent|went|gone|left|taken) to the wrong (address|house|door|person|neighbour|flat|number|street)",
        "wrong address",
        "(missed|past) the (delivery date|estimated delivery|promised date|delivery window)",
        "not been (delivered|dispatched|sent|shipped|received)",
        "(not|never) (delivered|dispatched|shipped|received)",
        "(delay|delays|overdue)",
        "takes? (so long|too long|forever|ages)",
        "(taking|taken) (so long|too long|forever|ages)",
        "nowhere to be (seen|found)",
        "(meant|supposed|due|expected) to (arrive|be delivered|come|turn up|be here)",
        "nothing (has |have |)(come|arrived|turned up|been delivered|showed up)",
        "out for delivery for",
        "(is|has) it (been |got |)lost",
        "(claim|claims|claimed|say|says|said|saying|show|shows|showed|marked) (they |it |it was |it is |they were |it has been |as |)delivered",  # noqa: E501
        "there was nothing there",
        "still in transit",
    ),
}

WEAK_DEFECT_CUES: dict[str, tuple[str, ...]] = {
    "stitching": ("unravelling", "unpicked", "fraying", "unstitched"),
    "sole_separation": ("flapping", "unglued", "unstuck", "glue", "separating", "delamination"),
    "heel_detachment": ("wobbly heel", "heel wobbly"),
    "upper_damage": ("torn", "ripped", "rip", "tear", "hole", "holes", "split", "dent", "dented", "cut"),
    "leather_finish": ("peeling", "cracking", "cracked", "crack", "cracks", "flake", "bubbling", "creasing", "dull"),
    "sizing_fit": (
        "tight",
        "narrow",
        "sizing",
        "roomy",
        "loose fit",
        "blister",
        "blisters",
        "pinch",
        "pinches",
        "massive",
        "enormous",
        "swimming in them",
    ),
    "colour_mismatch": (
        "shade",
        "darker",
        "lighter",
        "paler",
        "brighter",
        "in real life",
        "in person",
        "irl",
        "tinge",
        "tint",
    ),
    "hardware": ("hardware", "rivet", "popper"),
    "lining_insole": ("bunched", "bunching"),
    "odour_or_stain": ("mark", "marks", "dye", "dirty", "spot", "spots"),
    "wrong_item": ("wrong", "mix up", "mix-up", "mixup", "different item"),
    "damaged_in_transit": ("crushed", "squashed", "in transit", "courier"),
    "late_delivery": ("late", "delayed", "not arrived", "not here", "chasing"),
}

# Words that say "something is wrong" without saying what: with a component they suggest its usual category.
PROBLEM_WORDS: tuple[str, ...] = (
    "problem", "problems", "issue", "issues", "fault", "faulty", "defect", "defective", "wrong with", "not right",
    "poor quality", "rubbish", "terrible", "awful", "useless", "disappointed", "complaint", "complain", "shoddy",
    "cheap", "failed", "failure", "damaged", "broken",
)  # fmt: skip

# Phrases that contain cue words but are not complaints about that defect. Any cue they overlap is ignored.
NEUTRAL_PHRASES: tuple[str, ...] = (
    "(fit|fitted|fits) for purpose",
    "fit for (work|use)",
    "fit (well|perfectly|great|fine|beautifully|lovely|nicely|really well)",
    "(fits|fitted|fit) (me |them |)(perfectly|fine|well|great)",
    "perfect fit",
    "(size|sizing|fit) is (fine|perfect|right|spot on|good|great|ok|okay)",
    "(right|correct|same|usual|normal) size",
    "(colour|shade) is (fine|lovely|perfect|great|gorgeous|nice|right|correct|spot on)",
    "(love|like|lovely|beautiful|gorgeous|nice) (colour|shade)",
    "late (husband|wife|father|mother|dad|mum|partner|grandfather|grandmother)",
    "(late|later) (reply|response|answer)",
    "(too|late) late to return",
    "(received|got|had|receive) (a |an |the |your |any |no |)(reply|response|answer|email|call|refund|update|confirmation|message|acknowledgement|text)",  # noqa: E501
    "(not|never) (received|got|had) (a |an |the |any |)(reply|response|answer|email|call|refund|update|confirmation|message)",  # noqa: E501
    "(reply|response|refund|email|answer|call back|callback|update) (has not|hasn't|never|still not|not) (arrived|come|came|been received)",  # noqa: E501
    "waiting (for|on) (a |an |the |your |my |)(reply|response|answer|email|call|refund|update|callback|call back)",
    "mark my words",
    "keep me waiting",
    "stitching (is |was |looks |)(fine|perfect|good|great|intact|ok|okay)",
    "stuck (with|at home|in traffic|in a meeting)",
    "in the right size",
    "(it|this|that) is not the end of the world",
    "fell (in love|asleep)",
    "arrived (on time|quickly|promptly|fine|safely|in good condition|in perfect condition|intact|undamaged|ok|okay)",
    "(box|parcel|packaging) (was |is |)(fine|intact|undamaged|ok|okay|perfect)",
    "no (smell|smells|stain|stains|marks)",
    "hole punch",
    "tight (deadline|deadlines|schedule|budget|timescale|turnaround|squeeze|spot)",
    "(is |was |something |anything |what is |what's |gone |went |)wrong with",
    "cut (my|her|his|their) (foot|feet|toe|toes|heel|ankle|leg|hand|finger|knee)",
    "(spare|extra) (laces|insole|insoles)",
    "(when i |i |we |)(opened|open|opening|unboxed|unboxing) (the |my |)(box|parcel|package)",
    "spot on",
    "(what is|what's|whats) the latest",
    "the latest (on|news|update)",
    "(went|go|gone|goes|going) wrong",
    "(got|get|have got|has got) (that|it|this|them) wrong",
    "wrong (email|e-mail|phone number|date|reference|details|case number)",
)

# ---------------------------------------------------------------------------------------------------------------
# Components: the canonical name and the words customers use for it.
# ---------------------------------------------------------------------------------------------------------------

COMPONENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sole": (
        "sole", "soles", "outsole", "outsoles", "midsole", "sole unit", "rubber sole", "tread", "bottom of the shoe",
        "bottom of the boot", "bottom of my shoe", "bottom of my boot", "underside", "vibram sole", "sole plate",
    ),
    "heel": ("heel", "heels", "heel tip", "heel tips", "heel block", "heel cap", "top piece", "stiletto", "block heel"),
    "upper": (
        "upper", "uppers", "vamp", "leather upper", "side of the shoe", "side of the boot", "quarter", "tongue",
        "gusset", "elastic gusset", "elastic", "shaft", "collar", "heel counter",
    ),
    "toe": ("toe", "toe cap", "toecap", "toe box", "toe puff", "steel toe", "toe area", "front of the shoe",
            "front of the boot", "composite toe"),
    "lining": ("lining", "linings", "inner lining", "heel lining", "liner", "inside of the shoe", "inside of the boot"),
    "insole": ("insole", "insoles", "footbed", "footbeds", "sock liner", "sockliner", "inner sole", "insert",
               "arch support", "cushioning", "padding"),
    "stitching": ("stitching", "stitches", "stitch", "seam", "seams", "thread", "threads", "welt", "sewing"),
    "zip": ("zip", "zips", "zipper", "zippers", "zip pull", "zip puller", "zip teeth", "zipper pull", "side zip"),
    "buckle": ("buckle", "buckles", "belt buckle"),
    "strap": ("strap", "straps", "shoulder strap", "ankle strap", "crossbody strap", "cross body strap", "pull tab",
              "heel tab"),
    "eyelet": ("eyelet", "eyelets", "lace hole", "lace holes", "speed hook", "speed hooks", "lace hook", "lace hooks"),
    "lace": ("lace", "laces", "shoelace", "shoelaces", "shoe lace", "shoe laces", "bootlace", "bootlaces"),
    "handle": ("handle", "handles", "grab handle", "top handle"),
    "clasp": ("clasp", "clasps", "popper", "poppers", "press stud", "press studs", "snap fastener", "magnetic clasp",
              "turn lock", "twist lock", "fastening", "d ring", "rivet", "rivets"),
    "packaging": ("packaging", "box", "shoe box", "shoebox", "parcel", "package", "outer box", "mailer", "postage bag",
                  "dust bag", "wrapping", "delivery box"),
}  # fmt: skip

COMPONENT_CATEGORY: dict[str, str] = {
    "sole": "sole_separation",
    "heel": "heel_detachment",
    "upper": "upper_damage",
    "toe": "upper_damage",
    "lining": "lining_insole",
    "insole": "lining_insole",
    "stitching": "stitching",
    "zip": "hardware",
    "buckle": "hardware",
    "strap": "hardware",
    "eyelet": "hardware",
    "lace": "hardware",
    "handle": "hardware",
    "clasp": "hardware",
    "packaging": "damaged_in_transit",
}

# Surfaces rather than parts: linked to a "finish" failure they mean leather_finish, to a tear upper_damage.
SURFACE_WORDS: tuple[str, ...] = (
    "leather", "finish", "patent", "suede", "nubuck", "polish", "coating", "surface", "paint", "top coat",
)  # fmt: skip

# Failure words, by kind. A failure word near a component gives that component's category (see overrides).
FAILURE_PHRASES: dict[str, tuple[str, ...]] = {
    "detach": (
        "come off", "come away", "come loose", "come apart", "come out", "come undone", "come unstuck", "fall off",
        "fall out", "fall apart", "drop off", "pop off", "pop out", "pull out", "pull away", "peel off", "peel away",
        "hang off", "hanging", "detach", "detached", "separate", "separating", "separated", "unstuck", "unglued",
        "lift", "lifting", "flap", "flapping", "gape", "gaping", "give way", "gave way", "loose", "wobbly",
        "wobble", "missing", "gone", "come clean off", "come right off", "come straight off", "come completely off",
        "fall right off", "fall clean off",
    ),
    "break": (
        "break", "broken", "snap", "bust", "busted", "split", "bent", "bend", "fail", "failed", "faulty",
        "defective", "not work", "stop work", "stop working", "not working", "shear", "shear off", "damage",
        "damaged", "collapse", "collapsed", "in half", "in two",
    ),
    "crack": ("crack", "cracked", "cracking", "cracks", "craze", "crazing", "crazed"),
    "tear": (
        "tear", "torn", "rip", "ripped", "hole", "holes", "worn through", "wear through", "wear out", "worn out",
        "worn down", "wear down", "scuff", "scuffed", "scratch", "scratched", "fray", "frayed", "puncture",
        "gash", "cut", "rub through", "rubbed through", "bunch", "bunched", "curl", "curled", "ruck",
        "shred", "shredded",
    ),
    "shift": ("slip", "slipping", "slide", "sliding", "move", "moving", "shift", "shifting", "ride up", "riding up"),
    "stuck": ("stick", "stuck", "jam", "jammed", "jamming", "not close", "not open", "not zip", "not fasten",
              "not do up", "not stay", "catch", "catching", "seize", "seized", "not go up", "not go down",
              "not pull up"),
    "finish": ("peel", "peeling", "flake", "flaking", "bubble", "bubbling", "fade", "faded", "fading", "discolour",
               "discoloured", "chip", "chipped", "chipping", "rub off", "wear off", "tarnish",
               "tarnished", "rust", "rusty", "rusted"),
    "crush": ("crush", "crushed", "squash", "squashed", "dent", "dented", "soak", "soaked", "wet", "smash",
              "smashed", "batter", "battered", "open", "opened", "ripped open", "cave in", "burst"),
    "unravel": ("unravel", "unravelling", "undone", "unpick", "unpicked", "come undone", "loose thread"),
}  # fmt: skip

# (component or "surface", failure kind) -> category when it differs from COMPONENT_CATEGORY.
COMPONENT_FAILURE_OVERRIDES: dict[tuple[str, str], Optional[str]] = {
    ("upper", "finish"): "leather_finish",
    ("upper", "crack"): "leather_finish",
    ("surface", "crack"): "leather_finish",
    ("toe", "finish"): "leather_finish",
    ("surface", "finish"): "leather_finish",
    ("surface", "break"): "leather_finish",
    ("surface", "detach"): "leather_finish",
    ("surface", "unravel"): "leather_finish",
    ("surface", "crush"): "upper_damage",
    ("surface", "tear"): "upper_damage",
    ("surface", "stuck"): "leather_finish",
    ("upper", "crush"): "upper_damage",
    ("heel", "shift"): "sizing_fit",
    ("toe", "shift"): "sizing_fit",
    ("sole", "shift"): None,
    ("upper", "shift"): None,
    ("surface", "shift"): None,
    ("packaging", "shift"): None,
}

# ---------------------------------------------------------------------------------------------------------------
# Colours. Catalogue colours are added per extractor; synonyms map to a canonical spelling.
# ---------------------------------------------------------------------------------------------------------------

GENERAL_COLOURS: tuple[str, ...] = (
    "black", "brown", "dark brown", "light brown", "tan", "navy", "navy blue", "burgundy", "oxblood", "white",
    "off white", "grey", "dark grey", "light grey", "green", "olive", "khaki", "red", "blue", "beige", "cream",
    "chestnut", "cognac", "sand", "stone", "taupe", "camel", "nude", "pink", "purple", "yellow", "orange", "gold",
    "silver", "bronze", "ivory", "mustard", "teal", "charcoal", "mahogany", "walnut", "chocolate", "espresso",
    "wine", "maroon", "bordeaux", "rust", "natural", "multi", "multicolour", "brick", "mink", "blush", "plum",
    "bottle green", "racing green", "forest green", "royal blue", "sky blue", "dark tan", "honey", "caramel",
)  # fmt: skip

# Spelling variants and near-synonyms -> canonical colour.
COLOUR_SYNONYMS: dict[str, str] = {
    "gray": "grey",
    "dark gray": "dark grey",
    "light gray": "light grey",
    "off-white": "off white",
    "offwhite": "off white",
    "navy blue": "navy",
    "multicolor": "multicolour",
    "multi-colour": "multicolour",
    "multi-color": "multicolour",
    "multicoloured": "multicolour",
    "multicolored": "multicolour",
    "ox blood": "oxblood",
    "ox-blood": "oxblood",
}

# Colours customers use interchangeably: when the product is known, the catalogue's own name is returned.
COLOUR_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"burgundy", "oxblood", "wine", "maroon", "bordeaux", "plum"}),
    frozenset({"tan", "cognac", "camel", "caramel", "honey", "dark tan"}),
    frozenset({"brown", "dark brown", "chocolate", "espresso", "mahogany", "walnut", "chestnut"}),
    frozenset({"beige", "sand", "stone", "taupe", "nude", "cream", "ivory", "natural", "off white"}),
    frozenset({"grey", "dark grey", "light grey", "charcoal"}),
    frozenset({"green", "olive", "khaki", "bottle green", "racing green", "forest green"}),
    frozenset({"navy", "blue", "royal blue"}),
)

# Words before a colour that do not change which catalogue colour is meant.
COLOUR_MODIFIERS: tuple[str, ...] = ("dark", "light", "pale", "deep", "bright", "rich", "mid")

# Words that never identify a product on their own (types, materials, descriptors).
GENERIC_PRODUCT_WORDS: frozenset[str] = frozenset(
    {
        "boot", "boots", "shoe", "shoes", "trainer", "trainers", "sneaker", "sneakers", "loafer", "loafers", "sandal",
        "sandals", "bag", "bags", "belt", "belts", "wallet", "wallets", "holder", "holders", "card", "court", "leather",
        "suede", "nubuck", "patent", "steel", "toe", "safety", "walking", "hiking", "hiker", "hikers", "block", "heel",
        "heels", "pump", "pumps", "brogue", "brogues", "derby", "oxford", "wellington", "wellingtons", "welly",
        "wellies", "satchel", "satchels", "tote", "totes", "purse", "purses", "clutch", "backpack", "rucksack",
        "slipper", "slippers", "mule", "mules", "clog", "clogs", "espadrille", "moccasin", "runner", "runners", "lite",
        "light", "composite", "rigger", "riggers", "penny", "billfold", "the", "and", "of", "for", "with", "men",
        "mens", "women", "womens", "ladies", "kids", "classic", "original", "new", "work", "ankle", "knee", "high",
        "low", "mid", "top", "slip", "on", "lace", "up", "zip", "buckle", "strap", "strappy", "cross", "body",
        "crossbody", "shoulder", "travel", "weekend", "weekender", "messenger", "briefcase", "case", "key", "ring",
        "gloves", "glove"
    }
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------------------
# Normalisation helpers for the matcher: text-speak, US spellings, common misspellings.
# ---------------------------------------------------------------------------------------------------------------

WORD_ALIASES: dict[str, str] = {
    # text-speak
    "r": "are", "u": "you", "ur": "your", "yr": "your", "pls": "please", "plz": "please", "coz": "because",
    "cos": "because", "cuz": "because", "bc": "because", "wiv": "with", "n": "and", "nd": "and",
    "thx": "thanks", "ta": "thanks", "2day": "today", "b4": "before", "wk": "week", "wks": "weeks",
    "comin": "coming", "fallin": "falling", "peelin": "peeling", "rippin": "ripping", "splittin": "splitting",
    "waitin": "waiting", "leakin": "leaking", "crackin": "cracking", "rubbin": "rubbing", "smellin": "smelling",
    "hangin": "hanging", "flappin": "flapping", "gettin": "getting", "goin": "going", "stickin": "sticking",
    "brokn": "broken", "brok": "broke", "nt": "not", "n't": "not", "'s": "be", "'re": "be",
    # US -> UK spelling and US product words
    "color": "colour", "colors": "colours", "colored": "coloured", "discolor": "discolour",
    "discolored": "discoloured", "discoloration": "discolouration", "gray": "grey", "odor": "odour",
    "odors": "odours", "unraveling": "unravelling", "unraveled": "unravelled", "sneaker": "trainer",
    "sneakers": "trainers", "zipper": "zip", "zippers": "zips", "mold": "mould", "moldy": "mouldy",
    "jewelry": "jewellery", "favorite": "favourite", "canceled": "cancelled", "traveling": "travelling",
    # misspellings seen in complaints
    "heal": "heel", "heals": "heels", "soul": "sole", "souls": "soles", "stiching": "stitching",
    "stitchin": "stitching", "seperate": "separate", "seperated": "separated", "seperating": "separating",
    "seperation": "separation", "recieved": "received", "recieve": "receive", "recived": "received",
    "arived": "arrived", "arrieved": "arrived", "deliverd": "delivered", "delivred": "delivered", "damadged": "damaged",
    "damged": "damaged", "demaged": "damaged", "brocken": "broken", "broked": "broken", "snaped": "snapped",
    "peices": "pieces", "insoul": "insole", "innersole": "insole", "inner-sole": "insole", "zipp": "zip",
    "buckel": "buckle", "eylet": "eyelet", "eylets": "eyelets", "eyelit": "eyelet", "shoelace": "shoelace",
    "lenght": "length", "smels": "smells", "smelt": "smelled", "stinkin": "stinking", "coulor": "colour",
    "colur": "colour", "collour": "colour", "colr": "colour", "wierd": "weird", "loose-fitting": "loose fitting",
    "tite": "tight", "rong": "wrong", "wrnog": "wrong", "shoos": "shoes", "shooes": "shoes", "boos": "boots",
    "bootz": "boots", "crakced": "cracked",
}  # fmt: skip

# Words whose lemma would merge them with an unrelated word ("lining" -> "line", "felt" -> "feel").
PROTECTED_WORDS: frozenset[str] = frozenset({"lining", "felt", "left", "sizing"})

NEGATIONS: frozenset[str] = frozenset({"not", "no", "never", "n't", "nt", "without", "nothing", "nobody", "none"})

# ---------------------------------------------------------------------------------------------------------------
# Sizes.
# ---------------------------------------------------------------------------------------------------------------

LETTER_SIZES: dict[str, str] = {
    "xxs": "XXS", "xs": "XS", "extra small": "XS", "s": "S", "small": "S", "m": "M", "medium": "M", "med": "M",
    "l": "L", "large": "L", "xl": "XL", "extra large": "XL", "x large": "XL", "x-large": "XL", "xxl": "XXL",
    "2xl": "XXL", "xxxl": "XXXL", "3xl": "XXXL", "one size": "One size",
}  # fmt: skip

SIZE_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
}  # fmt: skip

# System -> (smallest, largest) plausible adult or child size.
SIZE_SYSTEMS: dict[str, tuple[float, float]] = {"UK": (0.5, 16.0), "EU": (16.0, 52.0), "US": (1.0, 18.0)}


_GROUP = re.compile(r"\(([^()]*)\)")


def expand(pattern: str) -> list[str]:
    """Expand ``(a|b|)`` groups in ``pattern`` into every alternative (an empty alternative drops the group)."""
    pieces = _GROUP.split(pattern)
    literal_parts = pieces[0::2]
    choices = [group.split("|") for group in pieces[1::2]]
    results: list[str] = []
    for combo in itertools.product(*choices) if choices else [()]:
        text = literal_parts[0]
        for alt, literal in zip(combo, literal_parts[1:], strict=True):
            text += alt + literal
        text = " ".join(text.split())
        if text and text not in results:
            results.append(text)
    return results
