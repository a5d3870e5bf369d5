/**
 * 5sim names its countries and products with lower-case words ("england", "telegram"); otpbox speaks
 * ISO 3166-1 alpha-2 countries and SMS-Activate service codes. These tables translate both ways.
 *
 * Countries: the keys of `GET /v1/guest/countries` (5sim.net/docs#get-countries-list), whose entries
 * carry an `iso` map (`"england": {"iso": {"gb": 1}, "prefix": {"+44": 1}, …}`). The list below is the
 * union of the names seen in copies of that list (ErikPelli/fivesim `fivesim/enums.py`,
 * jackchang1025/saloonphp-5SIM `src/Enums/Country.php`, and live captures quoted by other clients);
 * 5sim adds and drops countries over time, and a name missing here is skipped, not guessed.
 * 5sim's own spellings to notice: `england` (GB), `usa`, `bih`, `tit` (Trinidad and Tobago),
 * `bhutane`, `czech`, `dominicana` (DO) beside `dominica` (DM), `salvador`, `easttimor`,
 * `ivorycoast`, `swaziland`. `congo` is taken as the Republic of the Congo (CG), as the copies
 * that give an ISO code for it do.
 */
const COUNTRIES: ReadonlyArray<readonly [fivesim: string, iso: string]> = [
  ['afghanistan', 'AF'],
  ['albania', 'AL'],
  ['algeria', 'DZ'],
  ['angola', 'AO'],
  ['anguilla', 'AI'],
  ['antiguaandbarbuda', 'AG'],
  ['argentina', 'AR'],
  ['armenia', 'AM'],
  ['aruba', 'AW'],
  ['australia', 'AU'],
  ['austria', 'AT'],
  ['azerbaijan', 'AZ'],
  ['bahamas', 'BS'],
  ['bahrain', 'BH'],
  ['bangladesh', 'BD'],
  ['barbados', 'BB'],
  ['belarus', 'BY'],
  ['belgium', 'BE'],
  ['belize', 'BZ'],
  ['benin', 'BJ'],
  ['bhutane', 'BT'],
  ['bih', 'BA'],
  ['bolivia', 'BO'],
  ['botswana', 'BW'],
  ['brazil', 'BR'],
  ['bulgaria', 'BG'],
  ['burkinafaso', 'BF'],
  ['burundi', 'BI'],
  ['cambodia', 'KH'],
  ['cameroon', 'CM'],
  ['canada', 'CA'],
  ['capeverde', 'CV'],
  ['caymanislands', 'KY'],
  ['chad', 'TD'],
  ['chile', 'CL'],
  ['china', 'CN'],
  ['colombia', 'CO'],
  ['comoros', 'KM'],
  ['congo', 'CG'],
  ['costarica', 'CR'],
  ['croatia', 'HR'],
  ['cyprus', 'CY'],
  ['czech', 'CZ'],
  ['denmark', 'DK'],
  ['djibouti', 'DJ'],
  ['dominica', 'DM'],
  ['dominicana', 'DO'],
  ['easttimor', 'TL'],
  ['ecuador', 'EC'],
  ['egypt', 'EG'],
  ['england', 'GB'],
  ['equatorialguinea', 'GQ'],
  ['eritrea', 'ER'],
  ['estonia', 'EE'],
  ['ethiopia', 'ET'],
  ['finland', 'FI'],
  ['france', 'FR'],
  ['frenchguiana', 'GF'],
  ['gabon', 'GA'],
  ['gambia', 'GM'],
  ['georgia', 'GE'],
  ['germany', 'DE'],
  ['ghana', 'GH'],
  ['gibraltar', 'GI'],
  ['greece', 'GR'],
  ['grenada', 'GD'],
  ['guadeloupe', 'GP'],
  ['guatemala', 'GT'],
  ['guinea', 'GN'],
  ['guineabissau', 'GW'],
  ['guyana', 'GY'],
  ['haiti', 'HT'],
  ['honduras', 'HN'],
  ['hongkong', 'HK'],
  ['hungary', 'HU'],
  ['india', 'IN'],
  ['indonesia', 'ID'],
  ['ireland', 'IE'],
  ['israel', 'IL'],
  ['italy', 'IT'],
  ['ivorycoast', 'CI'],
  ['jamaica', 'JM'],
  ['japan', 'JP'],
  ['jordan', 'JO'],
  ['kazakhstan', 'KZ'],
  ['kenya', 'KE'],
  ['kuwait', 'KW'],
  ['kyrgyzstan', 'KG'],
  ['laos', 'LA'],
  ['latvia', 'LV'],
  ['lesotho', 'LS'],
  ['liberia', 'LR'],
  ['lithuania', 'LT'],
  ['luxembourg', 'LU'],
  ['macau', 'MO'],
  ['madagascar', 'MG'],
  ['malawi', 'MW'],
  ['malaysia', 'MY'],
  ['maldives', 'MV'],
  ['mauritania', 'MR'],
  ['mauritius', 'MU'],
  ['mexico', 'MX'],
  ['moldova', 'MD'],
  ['mongolia', 'MN'],
  ['montenegro', 'ME'],
  ['montserrat', 'MS'],
  ['morocco', 'MA'],
  ['mozambique', 'MZ'],
  ['myanmar', 'MM'],
  ['namibia', 'NA'],
  ['nepal', 'NP'],
  ['netherlands', 'NL'],
  ['newcaledonia', 'NC'],
  ['newzealand', 'NZ'],
  ['nicaragua', 'NI'],
  ['niger', 'NE'],
  ['nigeria', 'NG'],
  ['northmacedonia', 'MK'],
  ['norway', 'NO'],
  ['oman', 'OM'],
  ['pakistan', 'PK'],
  ['panama', 'PA'],
  ['papuanewguinea', 'PG'],
  ['paraguay', 'PY'],
  ['peru', 'PE'],
  ['philippines', 'PH'],
  ['poland', 'PL'],
  ['portugal', 'PT'],
  ['puertorico', 'PR'],
  ['reunion', 'RE'],
  ['romania', 'RO'],
  ['russia', 'RU'],
  ['rwanda', 'RW'],
  ['saintkittsandnevis', 'KN'],
  ['saintlucia', 'LC'],
  ['saintvincentandgrenadines', 'VC'],
  ['salvador', 'SV'],
  ['samoa', 'WS'],
  ['saotomeandprincipe', 'ST'],
  ['saudiarabia', 'SA'],
  ['senegal', 'SN'],
  ['serbia', 'RS'],
  ['seychelles', 'SC'],
  ['sierraleone', 'SL'],
  ['singapore', 'SG'],
  ['slovakia', 'SK'],
  ['slovenia', 'SI'],
  ['solomonislands', 'SB'],
  ['southafrica', 'ZA'],
  ['spain', 'ES'],
  ['srilanka', 'LK'],
  ['suriname', 'SR'],
  ['swaziland', 'SZ'],
  ['sweden', 'SE'],
  ['switzerland', 'CH'],
  ['taiwan', 'TW'],
  ['tajikistan', 'TJ'],
  ['tanzania', 'TZ'],
  ['thailand', 'TH'],
  ['tit', 'TT'],
  ['togo', 'TG'],
  ['tonga', 'TO'],
  ['tunisia', 'TN'],
  ['turkey', 'TR'],
  ['turkmenistan', 'TM'],
  ['turksandcaicos', 'TC'],
  ['uganda', 'UG'],
  ['ukraine', 'UA'],
  ['uruguay', 'UY'],
  ['usa', 'US'],
  ['uzbekistan', 'UZ'],
  ['venezuela', 'VE'],
  ['vietnam', 'VN'],
  ['virginislands', 'VG'],
  ['zambia', 'ZM'],
  ['zimbabwe', 'ZW'],
];

/**
 * 5sim product names beside our service codes (the SMS-Activate ones). The first thirteen are the
 * codes otpbox is built around; the rest are SMS-Activate codes that several independent client
 * tables agree on. Products without an agreed SMS-Activate code (e.g. `openai`, `steam`, `signal`)
 * are left out rather than given an invented code.
 */
const SERVICES: ReadonlyArray<readonly [fivesim: string, service: string]> = [
  ['telegram', 'tg'],
  ['whatsapp', 'wa'],
  ['google', 'go'],
  ['facebook', 'fb'],
  ['instagram', 'ig'],
  ['discord', 'ds'],
  ['twitter', 'tw'],
  ['amazon', 'am'],
  ['yandex', 'ya'],
  ['viber', 'vi'],
  ['vkontakte', 'vk'],
  ['odnoklassniki', 'ok'],
  ['other', 'ot'],
  ['tiktok', 'lf'],
  ['wechat', 'wb'],
  ['paypal', 'ts'],
  ['tinder', 'oi'],
  ['snapchat', 'fu'],
  ['yahoo', 'mb'],
  ['microsoft', 'mm'],
  ['apple', 'wx'],
  ['linkedin', 'tn'],
  ['shopee', 'ka'],
  ['kakaotalk', 'kt'],
  ['line', 'me'],
  ['netflix', 'nf'],
  ['uber', 'ub'],
  ['mailru', 'ma'],
  ['avito', 'av'],
  ['aliexpress', 'hx'],
  ['binance', 'aon'],
];

const isoByFivesim = new Map(COUNTRIES.map(([name, iso]) => [name, iso]));
const fivesimByIso = new Map(COUNTRIES.map(([name, iso]) => [iso, name]));
const serviceByProduct = new Map(SERVICES.map(([product, service]) => [product, service]));
const productByService = new Map(SERVICES.map(([product, service]) => [service, product]));

/** Every (5sim name, ISO code) pair, for tests and documentation. */
export const fivesimCountries = COUNTRIES;
/** Every (5sim product, service code) pair, for tests and documentation. */
export const fivesimServices = SERVICES;

/** `"england"` → `"GB"`; undefined for a name we do not know. */
export function isoFromFivesimCountry(name: string): string | undefined {
  return isoByFivesim.get(name.trim().toLowerCase());
}

/** `"GB"` → `"england"`; undefined for a country 5sim does not list. */
export function fivesimCountryFromIso(iso: string): string | undefined {
  return fivesimByIso.get(iso.trim().toUpperCase());
}

/** `"telegram"` → `"tg"`; undefined for a product we do not map. */
export function serviceFromFivesimProduct(product: string): string | undefined {
  return serviceByProduct.get(product.trim().toLowerCase());
}

/** `"tg"` → `"telegram"`; undefined for a service 5sim is not mapped for. */
export function fivesimProductFromService(service: string): string | undefined {
  return productByService.get(service.trim().toLowerCase());
}
