// Words next to a number that say what the number is when it is not a code: a price, a duration, a
// date, a phone number, an account tail or a reference. All lower case; compared with whole words.

import { isSpacedLetter, unspacedWeight } from './chars.ts';

/** ISO codes and local names of currencies, written before or after an amount ("Rp 50.000", "6000000 VND"). */
export const CURRENCY_WORDS = new Set([
  'usd',
  'eur',
  'gbp',
  'chf',
  'rub',
  'rur',
  'uah',
  'kzt',
  'byn',
  'inr',
  'rs',
  'idr',
  'rp',
  'vnd',
  'vnđ',
  'đ',
  'jpy',
  'cny',
  'rmb',
  'twd',
  'ntd',
  'nt',
  'hkd',
  'sgd',
  'myr',
  'rm',
  'thb',
  'php',
  'krw',
  'try',
  'tl',
  'brl',
  'mxn',
  'ars',
  'cop',
  'clp',
  'pen',
  'aud',
  'nzd',
  'cad',
  'sek',
  'nok',
  'dkk',
  'pln',
  'zł',
  'zl',
  'czk',
  'kč',
  'huf',
  'ft',
  'ron',
  'lei',
  'rsd',
  'bgn',
  'irr',
  'irt',
  'aed',
  'sar',
  'qar',
  'kwd',
  'egp',
  'ngn',
  'kes',
  'zar',
  'pkr',
  'bdt',
  'lkr',
  'npr',
  'usdt',
  'btc',
  'eth',
  'руб',
  'р',
  'грн',
  'тг',
  'ريال',
  'تومان',
  'درهم',
  'جنيه',
  'ש"ח',
  'שח',
  'dollars',
  'dollar',
  'euro',
  'euros',
  'rupees',
  'yuan',
  'yen',
  'won',
  'dong',
  'baht',
  'peso',
  'pesos',
  'reais',
  'lira',
]);

/** Words that introduce an amount: "Balance 2300", "suma: 74.99", "مبلغ 10,000". */
export const AMOUNT_WORDS = new Set([
  'balance',
  'bal',
  'amount',
  'amt',
  'total',
  'sum',
  'price',
  'cost',
  'fee',
  'paid',
  'charged',
  'debited',
  'credited',
  'suma',
  'iznos',
  'betrag',
  'montant',
  'monto',
  'importe',
  'valor',
  'saldo',
  'сумма',
  'сумму',
  'баланс',
  'مبلغ',
  'المبلغ',
  'مقدار',
  'סכום',
  'jumlah',
  'tutar',
  'bakiye',
]);
/** The same, written without spaces: "付款金额169.00", "ご利用金額". */
export const AMOUNT_SUFFIXES = ['金额', '金額', '余额', '餘額', '价格', '價格', '价', '費用', '费用', '料金', '금액', '잔액'];

/** Time units: "valid for 10 minutes", "expires in 5 min", "(5 Min. gültig)", "5 wuTSi" (Georgian). */
export const UNIT_WORDS = new Set([
  'min',
  'mins',
  'minute',
  'minutes',
  'minuto',
  'minutos',
  'minuti',
  'minuten',
  'minut',
  'minuty',
  'minuter',
  'minutter',
  'minuut',
  'menit',
  'minit',
  'phut',
  'phút',
  'dakika',
  'dk',
  'perc',
  'minuutin',
  'minuuttia',
  'sec',
  'secs',
  'second',
  'seconds',
  'segundos',
  'secondi',
  'secondes',
  'sekunden',
  'sekund',
  'detik',
  'giây',
  'giay',
  'saniye',
  'h',
  'hr',
  'hrs',
  'hour',
  'hours',
  'hora',
  'horas',
  'ore',
  'heure',
  'heures',
  'stunde',
  'stunden',
  'std',
  'jam',
  'giờ',
  'gio',
  'saat',
  'godz',
  'day',
  'days',
  'día',
  'días',
  'dia',
  'dias',
  'jour',
  'jours',
  'tag',
  'tage',
  'tagen',
  'hari',
  'ngày',
  'ngay',
  'gün',
  'week',
  'weeks',
  'month',
  'months',
  'year',
  'years',
  'мин',
  'минут',
  'минуты',
  'минуту',
  'сек',
  'секунд',
  'секунды',
  'час',
  'часа',
  'часов',
  'дней',
  'дня',
  'день',
  'хв',
  'хвилин',
  'λεπτά',
  'λεπτό',
  'δευτερόλεπτα',
  'דקות',
  'דקה',
  'שעות',
  'שעה',
  'دقیقه',
  'دقائق',
  'دقيقة',
  'دقيقه',
  'ثانية',
  'ساعة',
  'ساعت',
  'मिनट',
  'सेकंड',
  'wutsi',
  'წუთი',
  'წუთში',
  'นาที',
  'วินาที',
  'gb',
  'mb',
  'kb',
  'km',
  'kg',
  'ms',
]);

/**
 * Characters that, right after a number, make it a duration, date, time or amount in Chinese,
 * Japanese and Korean ("5分钟", "2024年", "9876元", "10분").
 */
const UNIT_CHARS = new Set([
  '分',
  '秒',
  '时',
  '時',
  '天',
  '日',
  '年',
  '月',
  '号',
  '號',
  '点',
  '點',
  '元',
  '円',
  '块',
  '圆',
  '週',
  '周',
  '분',
  '초',
  '시',
  '일',
  '년',
  '월',
  '원',
  '%',
  '‰',
]);

/** "Call 0800…", "Tel: …", Vietnamese "LH" (contact): the number is a phone number. */
export const PHONE_WORDS = new Set([
  'call',
  'dial',
  'tel',
  'phone',
  'ph',
  'mob',
  'hotline',
  'helpline',
  'fax',
  'lh',
  'sdt',
  'sđt',
  'телефон',
  'тел',
]);

/** Words that introduce a phone number or short code as the destination of a message: "Text FA to 87121". */
export const SEND_WORDS = new Set(['text', 'txt', 'sms', 'send', 'reply', 'call', 'dial', 'msg']);

/** "card ending 4888", "A/c no ending 5678", "Card 9688": the tail of an account, not a code. */
export const ACCOUNT_WORDS = new Set([
  'ending',
  'ends',
  'card',
  'karticom',
  'kartu',
  'carte',
  'karte',
  'tarjeta',
  'cartão',
  'account',
  'acct',
  'a/c',
  'tk',
  'konto',
  'cont',
  'счет',
  'счёт',
  'карта',
  'карты',
  'картой',
]);
/** The same, written without spaces: "尾号1234", "後四碼8888". */
export const ACCOUNT_SUFFIXES = ['尾号', '尾號', '后四位', '後四位', '后四码', '後四碼', '末尾', '卡号', '卡號', '帳號', '账号', '口座'];

/**
 * "order 12345", "ref 8812", "ID833", "desk AB12", "gate B2024": a reference or a place, which loses
 * to a code when both are present.
 */
export const REFERENCE_WORDS = new Set([
  'order',
  'ref',
  'reference',
  'booking',
  'invoice',
  'ticket',
  'tracking',
  'id',
  'no',
  'nr',
  'transaction',
  'txn',
  'dich',
  'dịch',
  'bestellung',
  'pedido',
  'commande',
  'заказ',
  'заказа',
  'box',
  'po',
  'room',
  'desk',
  'gate',
  'seat',
  'table',
  'platform',
  'counter',
  'terminal',
  'flight',
]);
/** The same, written without spaces: Thai "อ้างอิง (7F7CF6)" beside the OTP of a bank. */
export const REFERENCE_SUFFIXES = ['อ้างอิง'];

/**
 * A message announcing a prize holds claim PINs, whichever sentence they are in: "…pemenang undian
 * Rp.15jt… PIN:(5N939F7)", "Hadiah MOBIL … KODE PIN: E2747MLB".
 */
export const PRIZE_WORDS = [
  'hadiah',
  'pemenang',
  'undian',
  'you have won',
  "you've won",
  'lottery',
  'jackpot',
  'جایزه',
  // Indonesian "cash cheque", "cash money": what prize scams promise ("Cek Tunai Rp 175jt").
  'cek tunai',
  'uang tunai',
];

/**
 * Millions of rupiah in the shorthand of a windfall ("Rp.50jt", "Rp 175 juta"): a bank writes an
 * amount in full, a message announcing money to collect writes it this way, and its PINs are claim PINs.
 */
export const PRIZE_SUM = /\brp\.? ?\d+(?:[.,]\d+)*\.? ?(?:jt|jta|juta)\b/;

/**
 * A currency glued to its amount: Nigerian "N100" or "N1500", "Rs500", "Rp5000". Capitals and digits,
 * shaped like a code, but an amount.
 */
export const GLUED_AMOUNT = /^(?:n|ngn|rs|rp|inr|kes|ksh|rm|tk|usd|eur|gbp)\d+$/i;

/** A statement of what is left on an account: "New M-PESA balance is Ksh4,960.26", "Saldo: 120.000". */
export const BALANCE_WORDS = ['balance', 'saldo', 'solde', 'guthaben', 'остаток', 'баланс', 'dostupno', '余额', '餘額', '잔액'];

/**
 * "Use code SAVE20 at checkout", "20% off", "promo code": a sentence selling something gives a coupon,
 * never a code to verify anyone. Turkish "indirim", "kampanya" and Persian "تخفیف" sell too.
 */
export const PROMOTION_WORDS = [
  'checkout',
  '% off',
  'coupon',
  'promo',
  'voucher',
  'discount',
  'cashback',
  'gutschein',
  'rabatt',
  'cupón',
  // SMS often drop accents: "Cupon FAZIL8"; "dcto" is Spanish shorthand for descuento.
  'cupon',
  'dcto',
  'cupom',
  'desconto',
  'descuento',
  'réduction',
  'diskon',
  'indirim',
  'kampanya',
  'تخفیف',
  'big sale',
  // "Avail an amazing offer", "Rs 100 off on your ride": English sales phrases.
  'offer',
  ' off on ',
  // Polish "darmowe dostawy" (free deliveries), "na zakupy" (for shopping).
  'darmow',
  'na zakupy',
  'flash sale',
  'промокод',
  'скидк',
  '优惠',
  '折扣',
];

/** The lower-cased word of a spaced script that ends just before `start`, skipping a little punctuation. */
export function wordBefore(lower: string, start: number): string {
  let end = start;
  for (let skipped = 0; skipped < 3 && end > 0 && ' :.#("\'-'.includes(lower[end - 1] ?? 'x'); skipped++) end--;
  let begin = end;
  while (begin > 0 && (isSpacedLetter(lower[begin - 1]) || lower[begin - 1] === '/')) begin--;
  return lower.slice(begin, end);
}

/** The lower-cased word that starts just after `end` (after at most one space), without a final dot. */
export function wordAfter(lower: string, end: number): string {
  let begin = end;
  if (lower[begin] === ' ') begin++;
  let stop = begin;
  while (stop < lower.length && isSpacedLetter(lower[stop])) stop++;
  return lower.slice(begin, stop);
}

/** A unit of time, an amount or a date follows the number. */
export function unitFollows(lower: string, end: number): boolean {
  const next = lower[end] === ' ' ? lower[end + 1] : lower[end];
  if (next !== undefined && UNIT_CHARS.has(next)) return true;
  if (next !== undefined && unspacedWeight(next) > 0) return false;
  return UNIT_WORDS.has(wordAfter(lower, end)) || CURRENCY_WORDS.has(wordAfter(lower, end));
}
