"""Districts of Uttar Pradesh and Delhi NCR: pincodes, neighbours and vaccination centres.

Population weights are 2011 census figures in lakh (rounded), Muslim shares roughly the
census ones; pincodes are real post office codes of each district (a sample of them).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

UP, DL, HR = "Uttar Pradesh", "Delhi", "Haryana"

# name, state, population (lakh), Muslim share, pincodes ("a-b" = range), towns for centres
_DISTRICTS = (
    ("Ghaziabad", UP, 47, .25, "201001-201017 201102 201204 201206",
     "Loni, Modinagar, Muradnagar, Indirapuram, Sahibabad"),
    ("Gautam Buddha Nagar", UP, 16, .13, "201301-201318 203207 203135",
     "Dadri, Jewar, Bisrakh, Dankaur"),
    ("Meerut", UP, 34, .34, "250001-250005 250103 250221 250342 250401 250110",
     "Mawana, Sardhana, Daurala, Kharkhoda"),
    ("Hapur", UP, 13, .32, "245101 245304 245205 245301", "Pilkhuwa, Garhmukteshwar, Dhaulana"),
    ("Baghpat", UP, 13, .27, "250609 250611 250101 250615", "Baraut, Khekra, Binauli"),
    ("Bulandshahr", UP, 35, .22, "203001 203205 203131 203412 203390 203394",
     "Sikandrabad, Khurja, Siyana, Anupshahr"),
    ("Muzaffarnagar", UP, 41, .41, "251001-251003 251201 251309 251314",
     "Khatauli, Budhana, Jansath, Purkazi"),
    ("Saharanpur", UP, 35, .42, "247001 247002 247554 247342 247341 247121",
     "Deoband, Nakur, Gangoh, Behat"),
    ("Aligarh", UP, 37, .19, "202001 202002 202280 202138 204101",
     "Atrauli, Khair, Iglas, Gabhana"),
    ("Mathura", UP, 25, .08, "281001-281006 281121 281401 281502",
     "Vrindavan, Chhata, Goverdhan, Mant"),
    ("Agra", UP, 44, .09, "282001-282010 283111 283122 283104 283202",
     "Fatehabad, Kiraoli, Bah, Etmadpur"),
    ("Firozabad", UP, 25, .13, "283203 205135 283204 283103", "Shikohabad, Tundla, Jasrana"),
    ("Lucknow", UP, 46, .21, "226001-226031 226301 226102 226201",
     "Mohanlalganj, Malihabad, Chinhat, Aliganj"),
    ("Kanpur Nagar", UP, 46, .16, "208001-208027 209202 209206",
     "Bilhaur, Ghatampur, Kalyanpur, Bidhnu"),
    ("Unnao", UP, 31, .11, "209801 209862 209841 209869", "Purwa, Bangarmau, Safipur, Hasanganj"),
    ("Barabanki", UP, 33, .22, "225001 225003 225204 225412",
     "Fatehpur, Ramnagar, Haidergarh, Dewa"),
    ("Sitapur", UP, 45, .19, "261001 261203 261135 261141",
     "Mahmudabad, Biswan, Laharpur, Misrikh"),
    ("Hardoi", UP, 41, .13, "241001 241204 241404 241301", "Sandila, Shahabad, Bilgram, Mallawan"),
    ("Rae Bareli", UP, 34, .06, "229001 229206 229127 229306", "Lalganj, Salon, Dalmau, Unchahar"),
    ("Prayagraj", UP, 60, .13, "211001-211019 212402 212502 221503",
     "Phulpur, Soraon, Handia, Karchhana"),
    ("Pratapgarh", UP, 32, .14, "230001 230204 230135 230143", "Kunda, Patti, Lalganj"),
    ("Varanasi", UP, 37, .15, "221001-221011 221206 221104 221403",
     "Pindra, Cholapur, Arajiline, Sevapuri"),
    ("Jaunpur", UP, 45, .10, "222001 222002 222143 223103 222133",
     "Machhlishahr, Shahganj, Kerakat"),
    ("Ghazipur", UP, 36, .10, "233001 233304 233227 232329", "Saidpur, Mohammadabad, Zamania"),
    ("Azamgarh", UP, 46, .16, "276001 276304 276139 276125", "Phulpur, Lalganj, Sagri, Mehnagar"),
    ("Mirzapur", UP, 25, .08, "231001 231304 231210", "Chunar, Lalganj, Madihan"),
    ("Gorakhpur", UP, 44, .09, "273001-273016 273158 273209 273201",
     "Campierganj, Sahjanwa, Chauri Chaura"),
    ("Deoria", UP, 31, .11, "274001 274509 274204 274702", "Salempur, Rudrapur, Bhatpar Rani"),
    ("Kushinagar", UP, 36, .17, "274403 274304 274203 274407",
     "Padrauna, Kasya, Hata, Tamkuhi Raj"),
    ("Basti", UP, 25, .15, "272001 272002 272151 272192", "Harraiya, Rudhauli, Bhanpur"),
    ("Ayodhya", UP, 25, .15, "224001 224123 224164 224204", "Milkipur, Rudauli, Bikapur, Sohawal"),
    ("Sultanpur", UP, 38, .17, "228001 228145 228119 228125", "Kadipur, Lambhua, Jaisinghpur"),
    ("Gonda", UP, 34, .20, "271001 271502 271305 271313", "Colonelganj, Tarabganj, Mankapur"),
    ("Bahraich", UP, 35, .34, "271801 271865 271881 271824", "Nanpara, Kaisarganj, Mahsi"),
    ("Bareilly", UP, 45, .35, "243001-243006 243301 243201 243503",
     "Aonla, Baheri, Faridpur, Nawabganj"),
    ("Budaun", UP, 37, .22, "243601 243720 243637 243638", "Bisauli, Dataganj, Sahaswan, Ujhani"),
    ("Shahjahanpur", UP, 30, .18, "242001 242307 242221 242401", "Tilhar, Jalalabad, Powayan"),
    ("Rampur", UP, 23, .50, "244901 244921 244701 244922", "Bilaspur, Milak, Shahabad, Suar"),
    ("Moradabad", UP, 47, .47, "244001 244411 244601 244501",
     "Bilari, Thakurdwara, Kanth, Kundarki"),
    ("Amroha", UP, 18, .41, "244221 244241 244235 244231", "Hasanpur, Dhanaura, Gajraula"),
    ("Bijnor", UP, 37, .43, "246701 246763 246762 246721", "Najibabad, Nagina, Chandpur, Dhampur"),
    ("Jhansi", UP, 20, .07, "284001-284003 284204 284303", "Mauranipur, Moth, Garautha, Babina"),
    ("Etawah", UP, 16, .06, "206001 206242 206245 206127", "Bharthana, Jaswantnagar, Saifai"),
    ("Mainpuri", UP, 19, .05, "205001 205264 205265", "Bhongaon, Karhal, Kishni"),
    ("Ballia", UP, 32, .06, "277001 221712 277202 277208", "Rasra, Bansdih, Bairia"),
    ("New Delhi", DL, 1, .07, "110001 110003 110011 110021 110023",
     "Gole Market, Sarojini Nagar, Kidwai Nagar"),
    ("Central Delhi", DL, 6, .25, "110002 110005 110006 110055",
     "Daryaganj, Karol Bagh, Paharganj"),
    ("East Delhi", DL, 17, .12, "110091 110092 110051 110096",
     "Mayur Vihar, Laxmi Nagar, Patparganj, Kalyanpuri"),
    ("North East Delhi", DL, 22, .30, "110053 110090 110093 110094",
     "Seelampur, Karawal Nagar, Bhajanpura, Mustafabad"),
    ("Shahdara", DL, 20, .20, "110032 110095 110031", "Dilshad Garden, Vivek Vihar, Gandhi Nagar"),
    ("North Delhi", DL, 9, .12, "110007 110009 110054 110033", "Model Town, Burari, Civil Lines"),
    ("North West Delhi", DL, 36, .10, "110034 110085 110086 110088 110042",
     "Rohini, Pitampura, Narela, Jahangirpuri"),
    ("West Delhi", DL, 25, .06, "110018 110026 110027 110063",
     "Janakpuri, Punjabi Bagh, Vikaspuri, Tilak Nagar"),
    ("South Delhi", DL, 27, .10, "110017 110030 110062 110068",
     "Saket, Mehrauli, Sangam Vihar, Malviya Nagar"),
    ("South West Delhi", DL, 23, .06, "110037 110045 110075 110077",
     "Dwarka, Najafgarh, Palam, Kapashera"),
    ("South East Delhi", DL, 15, .18, "110020 110024 110025 110065",
     "Okhla, Jamia Nagar, Lajpat Nagar, Badarpur"),
    ("Gurugram", HR, 15, .05, "122001-122018", "Sohna, Pataudi, Farrukhnagar, Manesar"),
    ("Faridabad", HR, 18, .06, "121001-121010", "Ballabgarh, Palwal Road, Tigaon"),
)

# district: its neighbours (the relation is made symmetric)
_NEIGHBOURS = """
Ghaziabad: Gautam Buddha Nagar, East Delhi, Shahdara, North East Delhi, Meerut, Hapur
Ghaziabad: Baghpat, Bulandshahr
Gautam Buddha Nagar: East Delhi, South East Delhi, Bulandshahr, Faridabad
Meerut: Hapur, Baghpat, Muzaffarnagar, Bulandshahr, Bijnor
Hapur: Bulandshahr, Amroha
Bulandshahr: Aligarh
Aligarh: Mathura
Mathura: Agra
Agra: Firozabad
Firozabad: Mainpuri
Mainpuri: Etawah
Muzaffarnagar: Saharanpur, Bijnor
Baghpat: North West Delhi
Moradabad: Rampur, Amroha, Bijnor
Amroha: Bijnor
Bareilly: Rampur, Budaun, Shahjahanpur
Budaun: Shahjahanpur
Hardoi: Shahjahanpur
Lucknow: Unnao, Barabanki, Sitapur, Hardoi, Rae Bareli
Sitapur: Hardoi
Kanpur Nagar: Unnao, Etawah
Unnao: Hardoi, Rae Bareli
Rae Bareli: Pratapgarh, Sultanpur
Prayagraj: Pratapgarh, Mirzapur, Varanasi
Varanasi: Jaunpur, Mirzapur, Ghazipur
Jaunpur: Azamgarh, Sultanpur, Pratapgarh
Ghazipur: Azamgarh, Ballia
Azamgarh: Ayodhya
Gorakhpur: Deoria, Kushinagar, Basti
Deoria: Kushinagar, Ballia
Basti: Ayodhya, Gonda
Ayodhya: Barabanki, Sultanpur, Gonda
Gonda: Bahraich, Barabanki
Bahraich: Sitapur
Jhansi: Etawah
New Delhi: Central Delhi, South Delhi, South West Delhi, West Delhi
Central Delhi: North Delhi, East Delhi, West Delhi
East Delhi: Shahdara, North East Delhi, South East Delhi
North East Delhi: Shahdara, North Delhi
North Delhi: North West Delhi
North West Delhi: West Delhi
West Delhi: South West Delhi
South Delhi: South East Delhi, South West Delhi, Gurugram, Faridabad
South West Delhi: Gurugram
South East Delhi: Faridabad
Gurugram: Faridabad
"""

CENTRE_ID_BASE = 550000


@dataclass(frozen=True)
class Geo:
    names: np.ndarray  # str, district index -> name
    states: np.ndarray  # str
    state_code: np.ndarray  # "UP" / "DL" / "HR"
    p: np.ndarray  # household share by district
    muslim: np.ndarray  # Muslim share by district
    pin_start: np.ndarray  # CSR: pincodes of district d are pins[pin_start[d]:pin_start[d+1]]
    pins: np.ndarray
    nb_start: np.ndarray  # CSR over neighbouring district indices
    nbs: np.ndarray
    centre_start: np.ndarray  # CSR over centres (sorted by district)
    centre_id: np.ndarray  # int64
    centre_name: np.ndarray  # str
    centre_district: np.ndarray  # int


def _pins(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split():
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _centres(name: str, state: str, towns: str) -> list[str]:
    places = [t.strip() for t in towns.split(",")]
    if state == DL:
        kinds = ("Delhi Govt Dispensary", "UPHC", "Polyclinic")
        return [f"{kinds[i % 3]} {t}" for i, t in enumerate(places)] + [f"District Hospital {name}"]
    rural = ("CHC", "PHC")
    return [f"District Hospital {name}", f"UPHC {name} City"] + [
        f"{rural[i % 2]} {t}" for i, t in enumerate(places)]


def _csr(groups: list[list]) -> tuple[np.ndarray, np.ndarray]:
    start = np.zeros(len(groups) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(g) for g in groups])
    flat = [x for g in groups for x in g]
    return start, np.array(flat)


@lru_cache(maxsize=1)
def geo() -> Geo:
    names = [d[0] for d in _DISTRICTS]
    index = {n: i for i, n in enumerate(names)}
    nbs: list[set[int]] = [set() for _ in names]
    for line in _NEIGHBOURS.strip().split("\n"):
        head, _, rest = line.partition(":")
        for other in rest.split(","):
            a, b = index[head.strip()], index[other.strip()]
            nbs[a].add(b)
            nbs[b].add(a)
    pin_start, pins = _csr([_pins(d[4]) for d in _DISTRICTS])
    nb_start, nb = _csr([sorted(s) for s in nbs])
    centres = [_centres(d[0], d[1], d[5]) for d in _DISTRICTS]
    centre_start, centre_name = _csr(centres)
    n_centres = len(centre_name)
    # ids look arbitrary but are fixed: a stride walk over a 6-digit range
    centre_id = CENTRE_ID_BASE + (np.arange(n_centres, dtype=np.int64) * 7919) % 400_000
    pop = np.array([d[2] for d in _DISTRICTS], dtype=float)
    return Geo(
        names=np.array(names), states=np.array([d[1] for d in _DISTRICTS]),
        state_code=np.array([{UP: "UP", DL: "DL", HR: "HR"}[d[1]] for d in _DISTRICTS]),
        p=pop / pop.sum(), muslim=np.array([d[3] for d in _DISTRICTS]),
        pin_start=pin_start, pins=pins.astype(np.int64), nb_start=nb_start,
        nbs=nb.astype(np.int64), centre_start=centre_start, centre_id=centre_id,
        centre_name=centre_name.astype(str),
        centre_district=np.repeat(np.arange(len(names)), np.diff(centre_start)),
    )
