/* The resource classes, one per type, defined in the family files. */
#ifndef VPCD_MODEL_CLASSES_H
#define VPCD_MODEL_CLASSES_H

#include "model/model.h"

extern const struct res_class scope_class;
extern const struct res_class vpc_class;
extern const struct res_class subnet_class;
extern const struct res_class rtb_class;
extern const struct res_class sg_class;
extern const struct res_class nacl_class;
extern const struct res_class igw_class;
extern const struct res_class eigw_class;
extern const struct res_class pl_class;
extern const struct res_class pcx_class;
extern const struct res_class tgw_class;
extern const struct res_class tgw_attach_class;
extern const struct res_class tgw_rtb_class;
extern const struct res_class eip_class;
extern const struct res_class nat_class;
extern const struct res_class instance_class;
extern const struct res_class eni_class;
extern const struct res_class nip_class;
extern const struct res_class nia_class;
extern const struct res_class flow_log_class;

#endif
