/**
 * The catalog: services, countries, pricing, the in-memory catalog of offers, operator rules and their change announcements.
 *
 * The module's public surface: code outside src/modules/catalog/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { announceCatalogChange, type CatalogChange } from './changes.ts';
export { aliasesOf, COUNTRIES, type CountryInfo, countryByCode, formatPhone, phoneLibrary, searchCountries } from './countries.ts';
export { iconSprite, iconSpriteUrl } from './icon-sprite.ts';
export { basisPointsToPercent, type CatalogRule, CatalogRules, type PricingTerms, percentToBasisPoints, sellingPrice } from './pricing.ts';
export { type PricedOffer, ProviderCatalog } from './provider-catalog.ts';
export { changeCatalogRule, listCatalogRules, type RuleChange, type RuleTarget, resolveTarget } from './rules.ts';
export { Country, Price, Service } from './schemas.ts';
export { SERVICES, type ServiceInfo, searchServices, serviceByCode, serviceIconSvg, servicesNamedIn } from './services.ts';
