import{Dt as e,Gn as t}from"./index-Dbcfyewa.js";var n=new t(`antFadeIn`,{"0%":{opacity:0},"100%":{opacity:1}}),r=new t(`antFadeOut`,{"0%":{opacity:1},"100%":{opacity:0}}),i=(t,i=!1)=>{let{antCls:a}=t,o=`${a}-fade`,s=i?`&`:``;return[e(o,n,r,t.motionDurationMid,i),{[`
        ${s}${o}-enter,
        ${s}${o}-appear
      `]:{opacity:0,animationTimingFunction:`linear`},[`${s}${o}-leave`]:{animationTimingFunction:`linear`}}]};export{i as t};