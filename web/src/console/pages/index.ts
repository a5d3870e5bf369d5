// Every console page, registered in the navigation's order (registry.ts). One line per page.
