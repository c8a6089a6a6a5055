/** The label given when no stance is probable enough: shown, counted, never silently guessed. */
export const UNCERTAIN = 'uncertain'

/** Where stance is counted, the posts no model has labelled yet. */
export const UNCLASSIFIED = 'unclassified'
